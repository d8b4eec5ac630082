/**
 * /work paths (as the API names them: `home/alice/train.py`) and JupyterLab's contents paths,
 * when JupyterLab's root is /work (`prefix` '') or a folder above it (`prefix` e.g. `work`).
 */
export function fromJupyterPath(contentsPath: string, prefix: string): string | undefined {
  const path = contentsPath.replace(/^\/+/, '');
  if (!prefix) return path;
  if (path === prefix) return '';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : undefined;
}
