// Every manifest under k8s/ is valid against the Kubernetes API schemas (kubernetes-models), and the
// deployment keeps its promises: credentials only in the Secret, mounted as files; probes on /readyz
// and /healthz; resources; and a NetworkPolicy that lets in only the API port and out only Kafka,
// Redis and DNS.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const K8S_DIR = join(import.meta.dirname, '../../../k8s');

const MODELS = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
} as const;
type ModelKey = keyof typeof MODELS;

interface Manifest {
  file: string;
  key: string;
  doc: Record<string, unknown>;
}

const manifests: Manifest[] = readdirSync(K8S_DIR)
  .filter((file) => /\.ya?ml$/.test(file))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8')).map((document) => {
      const doc = document.toJS() as Record<string, unknown>;
      return { file, key: `${doc.apiVersion}/${doc.kind}`, doc };
    }),
  );

function only<K extends ModelKey>(key: K): InstanceType<(typeof MODELS)[K]> {
  const found = manifests.filter((m) => m.key === key);
  expect(found, `exactly one ${key} in k8s/`).toHaveLength(1);
  return new MODELS[key](found[0]!.doc as never) as InstanceType<(typeof MODELS)[K]>;
}

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE/;

describe('k8s manifests', () => {
  it('are all valid against the Kubernetes API schemas', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(6);
    for (const { file, key, doc } of manifests) {
      const Model = MODELS[key as ModelKey];
      expect(Model, `${file}: no model for ${key}`).toBeDefined();
      expect(() => new Model(doc as never).validate(), `${file} (${key})`).not.toThrow();
    }
  });

  it('keep every credential in the Secret, mounted read-only and named by *_FILE variables', () => {
    const configMap = only('v1/ConfigMap');
    const secret = only('v1/Secret');
    const deployment = only('apps/v1/Deployment');
    for (const [name, value] of Object.entries(configMap.data ?? {})) {
      expect(SECRET_NAME.test(name) && !name.endsWith('_FILE'), `ConfigMap holds ${name}`).toBe(false);
      expect(value).not.toMatch(/-----BEGIN|sha256:/);
    }
    const pod = deployment.spec!.template.spec!;
    const container = pod.containers[0]!;
    expect(container.envFrom?.map((e) => e.configMapRef?.name)).toEqual([configMap.metadata!.name]);
    expect(container.envFrom?.some((e) => e.secretRef)).toBe(false);

    const volume = pod.volumes!.find((v) => v.secret?.secretName === secret.metadata!.name);
    expect(volume, 'the Secret is mounted as a volume').toBeDefined();
    const mount = container.volumeMounts!.find((m) => m.name === volume!.name)!;
    expect(mount.readOnly).toBe(true);
    const secretKeys = Object.keys({ ...secret.data, ...secret.stringData });
    const fileVars = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
    for (const [name, variable] of Object.entries(fileVars)) {
      // A secret-looking variable is never a literal: only a path into the mounted Secret.
      if (SECRET_NAME.test(name)) expect(name.endsWith('_FILE'), `${name} is a literal`).toBe(true);
      expect(
        variable.valueFrom?.secretKeyRef,
        `${name} copies a secret into the environment`,
      ).toBeUndefined();
    }
    for (const name of ['KAFKA_SASL_PASSWORD_FILE', 'REDIS_PASSWORD_FILE', 'API_KEYS_FILE']) {
      const path = fileVars[name]?.value ?? '';
      expect(path.startsWith(`${mount.mountPath}/`), `${name} points into the Secret's mount`).toBe(true);
      expect(secretKeys).toContain(path.slice(mount.mountPath.length + 1));
    }
    // The Secret in the repository is a template: placeholders, never real values.
    for (const key of ['kafka-sasl-password', 'redis-password'])
      expect(secret.stringData?.[key]).toBe('REPLACE-ME');
  });

  it('probe readiness on /readyz and liveness on /healthz, on the served port, and set resources', () => {
    const container = only('apps/v1/Deployment').spec!.template.spec!.containers[0]!;
    const http = container.ports!.find((p) => p.name === 'http')!;
    expect(http.containerPort).toBe(8080);
    expect(container.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    const resources = container.resources!;
    for (const kind of ['requests', 'limits'] as const) {
      expect(resources[kind]?.cpu, `${kind}.cpu`).toBeDefined();
      expect(resources[kind]?.memory, `${kind}.memory`).toBeDefined();
    }
    const configMap = only('v1/ConfigMap');
    expect(Number(configMap.data!.PORT)).toBe(http.containerPort);
  });

  it('let in only the API port and out only Kafka, Redis and DNS', () => {
    const policy = only('networking.k8s.io/v1/NetworkPolicy').spec!;
    const deployment = only('apps/v1/Deployment');
    const configMap = only('v1/ConfigMap');
    expect(policy.podSelector.matchLabels).toEqual(deployment.spec!.selector.matchLabels);
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);

    const apiPort = deployment.spec!.template.spec!.containers[0]!.ports!.find((p) => p.name === 'http')!;
    expect(policy.ingress).toHaveLength(1);
    expect(policy.ingress![0]!.ports).toEqual([{ protocol: 'TCP', port: apiPort.containerPort }]);

    const egress = policy.egress!;
    // No rule may leave "to" or "ports" open (that would allow everything).
    for (const rule of egress) {
      expect(rule.to?.length).toBeGreaterThan(0);
      expect(rule.ports?.length).toBeGreaterThan(0);
    }
    const allowedPorts = egress.flatMap((rule) => rule.ports!.map((p) => `${p.protocol}/${p.port}`)).sort();
    const kafkaPorts = configMap.data!.KAFKA_BROKERS!.split(',').map((b) => `TCP/${b.split(':')[1]}`);
    const redisPort = `TCP/${new URL(configMap.data!.REDIS_URL!).port || '6379'}`;
    expect(allowedPorts).toEqual([...new Set([...kafkaPorts, redisPort, 'TCP/53', 'UDP/53'])].sort());
    const dns = egress.find((rule) => rule.ports!.some((p) => p.port === 53))!;
    expect(dns.to![0]!.podSelector?.matchLabels).toEqual({ 'k8s-app': 'kube-dns' });
  });

  it('route the Service to the API port of the detector pods', () => {
    const service = only('v1/Service').spec!;
    const deployment = only('apps/v1/Deployment').spec!;
    expect(service.selector).toEqual(deployment.selector.matchLabels);
    expect(service.ports!.map((p) => p.targetPort)).toEqual(['http']);
  });
});
