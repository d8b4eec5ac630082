import { formatBytes, type Service } from '@aiplat/api';
import { age, displayWidth, resourcesText, table } from '../format.js';
import { serviceMessages } from '../serviceMessages.js';

const m = serviceMessages.describe;

/** `aiplat service get` for people: the service's fields, then its versions and replicas as tables. */
export function describeService(service: Service, now: Date): string {
  const f = m.fields;
  const { limits } = service;
  const serving = service.versions.find((v) => v.version === service.version);
  const rows: [string, string | undefined][] = [
    [f.name, service.name],
    [f.state, service.state],
    [f.failure, service.failure?.message],
    [f.waiting, service.state === 'Deploying' ? service.waitReason?.message : undefined],
    [f.description, service.description],
    [f.url, service.url],
    [f.domain, service.domain ? m.domain(service.domain.host, service.domain.tls) : undefined],
    [f.auth, service.auth.join(', ')],
    [
      f.limits,
      m.limits(
        limits.qpsPerReplica,
        limits.concurrencyPerReplica,
        formatBytes(limits.maxBodyBytes),
        limits.upstreamTimeoutSeconds,
      ),
    ],
    [f.engine, m.engine(service.engine, service.queue, service.priority)],
    [f.resources, serving ? resourcesText(serving.spec.resources) : undefined],
    [
      f.tags,
      Object.entries(service.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || undefined,
    ],
    [f.created, m.ago(service.createdAt, age(service.createdAt, now))],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => displayWidth(label))) + 2;
  let out = shown.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}\n`).join('');
  const h = serviceMessages.header;
  const indent = (text: string) => text.replace(/^/gm, '  ').replace(/ +$/gm, '');
  out += `${f.versions}:\n`;
  out += indent(
    table(
      [h.version, h.serving, h.model, h.replicas, h.age],
      service.versions.map((v) => [
        `v${v.version}`,
        v.serving ? 'yes' : '',
        v.spec.model,
        String(v.spec.replicas),
        age(v.createdAt, now),
      ]),
    ),
  );
  out += `${f.replicas}:${service.replicas.length === 0 ? ` ${m.noReplicas}` : ''}\n`;
  if (service.replicas.length > 0) {
    out += indent(
      table(
        [h.version, h.replica, h.state, h.restarts, h.age, h.message],
        service.replicas.map((r) => [
          `v${r.version}`,
          String(r.index),
          r.state,
          String(r.restarts),
          age(r.startedAt, now),
          r.message ?? '',
        ]),
      ),
    );
  }
  return out;
}
