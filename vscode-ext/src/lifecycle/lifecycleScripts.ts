import {
  decodeLifecycleScript,
  encodeLifecycleScript,
  LIFECYCLE_SCRIPT_FIELDS,
  LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS,
  type LifecycleConfigSpec,
  type LifecycleScriptField,
} from '@aiplat/api';
import * as vscode from 'vscode';

/*
 * A lifecycle config's scripts as files, free of any editor state: `aiplat-lifecycle:/<config>/on-start.sh`,
 * their size once base64-encoded (what the API limits), and the spec a saved script makes.
 */

/** The scheme of the scripts' documents (a file system provider serves them). */
export const LIFECYCLE_SCHEME = 'aiplat-lifecycle';

/** Each script field's file name, as the scripts are shown and edited. */
export const SCRIPT_FILES: Readonly<Record<LifecycleScriptField, string>> = {
  onCreate: 'on-create.sh',
  onStart: 'on-start.sh',
};

/** What a path of the scheme names: the root, a config's folder, or one of its scripts. */
export type ScriptLocation =
  | { kind: 'root' }
  | { kind: 'config'; config: string }
  | { kind: 'script'; config: string; field: LifecycleScriptField };

/** Reads `/`, `/<config>` or `/<config>/<file>`; undefined for any other path. */
export function parseScriptPath(path: string): ScriptLocation | undefined {
  const parts = path.split('/').filter((part) => part !== '');
  const [config, file, ...rest] = parts;
  if (config === undefined) return { kind: 'root' };
  if (file === undefined) return { kind: 'config', config };
  if (rest.length > 0) return undefined;
  const field = LIFECYCLE_SCRIPT_FIELDS.find((f) => SCRIPT_FILES[f] === file);
  return field ? { kind: 'script', config, field } : undefined;
}

/** The path of a config's script: `/<config>/on-start.sh`. */
export function scriptPath(config: string, field: LifecycleScriptField): string {
  return `/${config}/${SCRIPT_FILES[field]}`;
}

/** How many characters `text` takes base64-encoded (UTF-8), as `encodeLifecycleScript` would make it. */
export function encodedLength(text: string): number {
  return 4 * Math.ceil(new TextEncoder().encode(text).length / 3);
}

const count = (n: number) => n.toLocaleString('en-US');

/** The status line while editing: "on-start.sh: 1,234 / 16,384 characters encoded". */
export function encodedSizeText(field: LifecycleScriptField, text: string): string {
  return vscode.l10n.t(
    '{0}: {1} / {2} characters encoded',
    SCRIPT_FILES[field],
    count(encodedLength(text)),
    count(LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS),
  );
}

/** Why a script cannot be saved as it is (too long once encoded), or undefined when it fits. */
export function scriptTooLong(field: LifecycleScriptField, text: string): string | undefined {
  const length = encodedLength(text);
  if (length <= LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS) return undefined;
  return vscode.l10n.t(
    '{0}: {1} / {2} characters encoded, over the limit. Move the rest into a file under /work and run that.',
    SCRIPT_FILES[field],
    count(length),
    count(LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS),
  );
}

/** A script's text from a spec; empty when the config has none. */
export function scriptText(spec: LifecycleConfigSpec, field: LifecycleScriptField): string {
  const encoded = spec[field];
  return encoded ? decodeLifecycleScript(encoded) : '';
}

/** The spec with one script replaced by `text`; an empty (or blank) text removes the script. */
export function specWithScript(
  spec: LifecycleConfigSpec,
  field: LifecycleScriptField,
  text: string,
): LifecycleConfigSpec {
  const { [field]: _replaced, ...rest } = spec;
  return text.trim() === '' ? rest : { ...rest, [field]: encodeLifecycleScript(text) };
}

/** The scripts a config has, by file name ("on-create.sh, on-start.sh"), or undefined when none. */
export function scriptsSummary(spec: LifecycleConfigSpec): string | undefined {
  const files = LIFECYCLE_SCRIPT_FIELDS.filter((field) => spec[field]).map((field) => SCRIPT_FILES[field]);
  return files.length > 0 ? files.join(', ') : undefined;
}
