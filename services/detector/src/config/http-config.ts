// The HTTP listener and the API's protection (authentication, limits, headers).
import { z } from 'zod';

export const httpEnv = {
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
};

type HttpEnv = z.output<z.ZodObject<typeof httpEnv>>;

export interface HttpConfig {
  host: string;
  port: number;
}

export function buildHttpConfig(e: HttpEnv): HttpConfig {
  return { host: e.HOST, port: e.PORT };
}
