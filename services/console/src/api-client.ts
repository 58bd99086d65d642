// Calls the FlowGuard REST API with the signed-in credential and turns problem+json answers into
// ApiError, so every screen shows the API's own reason when something is refused.

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemBody | null,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The sentence to show the analyst: the API's detail, else its title, else the status. */
  get reason(): string {
    return this.problem?.detail ?? this.problem?.title ?? this.message;
  }
}

export type Query = Record<string, string | number | null | undefined>;

export class ApiClient {
  constructor(
    /** Where the API starts, e.g. "/" (the console lives at <base>console/, the API at <base>v1/). */
    private readonly base: string,
    private readonly credential: string,
    /** Called on any 401: the credential expired or was revoked while the page was open. */
    private readonly onUnauthenticated: (reason: string) => void,
  ) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.send<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.send<T>('DELETE', path, body);
  }

  /** An open streaming response (server-sent events), or an ApiError. */
  async openStream(path: string, signal: AbortSignal, lastEventId: string | null): Promise<Response> {
    const headers: Record<string, string> = { ...this.authHeaders(), accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const response = await fetch(this.base + path, { headers, signal, cache: 'no-store' });
    if (!response.ok) throw await this.failure(response);
    return response;
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { ...this.authHeaders(), accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      cache: 'no-store',
    });
    if (!response.ok) throw await this.failure(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.credential}` };
  }

  private async failure(response: Response): Promise<ApiError> {
    const problem = await readProblem(response);
    const error = new ApiError(
      response.status,
      problem,
      `${response.status} ${problem?.title ?? response.statusText}`,
    );
    if (response.status === 401) this.onUnauthenticated(error.reason);
    return error;
  }
}

async function readProblem(response: Response): Promise<ProblemBody | null> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return null;
  try {
    return (await response.json()) as ProblemBody;
  } catch {
    return null;
  }
}

function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A path segment from a wallet, alert or flag id (ids may hold characters a URL reserves). */
export function segment(id: string): string {
  return encodeURIComponent(id);
}
