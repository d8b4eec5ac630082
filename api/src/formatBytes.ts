/** Binary units: 1 KiB = 1024 B, 1 MiB = 1024 KiB, … */
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * A size as both IDEs print it: whole bytes below 1 KiB (`512 B`), otherwise one decimal in the
 * largest binary unit that keeps the number below 1024 (`59.5 KiB`, `1.2 MiB`, `3.0 GiB`).
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  const shown = () => (unit === 0 ? String(Math.round(value)) : value.toFixed(1));
  // Compare what is printed, so 1023.97 KiB reads `1.0 MiB`, not `1024.0 KiB`.
  while (Number(shown()) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${sign}${shown()} ${BYTE_UNITS[unit]}`;
}
