/*
 * Image references as users write them: `registry/repo:tag`, `registry/repo@sha256:…`, or within the
 * platform's registry just `repo:tag`. The first path component is a registry when it has a dot or
 * a port or is `localhost` (Docker's rule), otherwise it is part of the repository.
 */

export interface ImageReference {
  /** host[:port] */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const REPOSITORY_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

export class InvalidImageReferenceError extends Error {
  override name = 'InvalidImageReferenceError';
}

/** Parses `text`; a reference without a registry is on `defaultRegistry`. */
export function parseImageReference(text: string, defaultRegistry: string): ImageReference {
  const invalid = (why: string): InvalidImageReferenceError =>
    new InvalidImageReferenceError(`"${text}" is not an image reference (registry/repository:tag): ${why}`);
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(`"${digest}" is not a digest (sha256:<hex>)`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(`"${tag}" is not a tag (letters, digits, _ . -, at most 128)`);
  }
  const components = rest.split('/');
  let registry = defaultRegistry;
  const first = components[0] ?? '';
  if (components.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    components.shift();
  }
  if (components.length === 0 || !components.every((component) => REPOSITORY_COMPONENT.test(component))) {
    throw invalid('the repository must be lowercase letters, digits and separators (. _ -), in /-separated parts');
  }
  if (!tag && !digest) tag = 'latest';
  return { registry, repository: components.join('/'), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The manifest reference of `ref` in the registry API: its digest when it has one, else its tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
