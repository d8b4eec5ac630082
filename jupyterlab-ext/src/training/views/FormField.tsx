import * as React from 'react';
import { testIdPart } from './labels.js';

/** The problems found in a form, by field key. */
export type FieldErrors = ReadonlyMap<string, readonly string[]>;

interface FieldProps {
  field: string;
  label: string;
  errors: FieldErrors;
  hint?: string;
}

interface ControlProps {
  id: string;
  'data-testid': string;
  'aria-invalid': boolean;
}

/** A labelled control with the problems found at its field under it. */
function Field({
  field,
  label,
  errors,
  hint,
  children,
}: FieldProps & { children: (props: ControlProps) => React.ReactNode }) {
  const id = `aiplat-field-${testIdPart(field)}`;
  const problems = errors.get(field) ?? [];
  return (
    <div className={`aiplat-form-field${problems.length ? ' aiplat-mod-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'data-testid': id, 'aria-invalid': problems.length > 0 })}
      {hint && <div className="aiplat-form-hint">{hint}</div>}
      <FieldProblems field={field} errors={errors} />
    </div>
  );
}

/** The problems found at `field`, if any (also for a group of fields without a control of its own). */
export function FieldProblems({ field, errors }: { field: string; errors: FieldErrors }) {
  const problems = errors.get(field) ?? [];
  if (problems.length === 0) return null;
  return (
    <div className="aiplat-form-error" data-testid={`aiplat-field-error-${testIdPart(field)}`} role="alert">
      {problems.join(' · ')}
    </div>
  );
}

interface ValueProps {
  value: string;
  onChange: (value: string) => void;
}

/**
 * A one-line text field; `number` makes it a number input with those bounds; `choices` (each a value
 * and its label) are offered as suggestions while any text stays possible.
 */
export function InputField({
  value,
  onChange,
  number,
  disabled,
  choices,
  password,
  ...field
}: FieldProps &
  ValueProps & {
    number?: { min: number; max?: number };
    disabled?: boolean;
    choices?: readonly (readonly [string, string])[];
    /** A secret: typed unseen, never offered by the browser's autocomplete. */
    password?: boolean;
  }) {
  return (
    <Field {...field}>
      {(p) => (
        <>
          <input
            {...p}
            className="jp-mod-styled"
            type={password ? 'password' : number ? 'number' : undefined}
            autoComplete={password ? 'off' : undefined}
            min={number?.min}
            max={number?.max}
            list={choices ? `${p.id}-choices` : undefined}
            value={value}
            disabled={disabled}
            onChange={(e) => onChange(e.target.value)}
          />
          {choices && (
            <datalist id={`${p.id}-choices`} data-testid={`${p.id}-choices`}>
              {choices.map(([v, label]) => (
                <option key={v} value={v} label={label} />
              ))}
            </datalist>
          )}
        </>
      )}
    </Field>
  );
}

/** A multi-line field for code-like text (commands, NAME=value lines, JSON). */
export function CodeField({ value, onChange, rows, ...field }: FieldProps & ValueProps & { rows: number }) {
  return (
    <Field {...field}>
      {(p) => (
        <textarea
          {...p}
          className="jp-mod-styled aiplat-form-code"
          rows={rows}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** A choice among `options`, each a value and its label. */
export function SelectField<T extends string>({
  value,
  onChange,
  options,
  ...field
}: FieldProps & { value: T; onChange: (value: T) => void; options: readonly (readonly [T, string])[] }) {
  return (
    <Field {...field}>
      {(p) => (
        <select {...p} className="jp-mod-styled" value={value} onChange={(e) => onChange(e.target.value as T)}>
          {options.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/**
 * The props that tie a field to `values[key]`: its key for errors (`field`, the key itself unless
 * the problems are reported under another path), its problems, its value and its update.
 */
export function bindField<V, K extends keyof V & string>(
  values: V,
  errors: FieldErrors,
  update: (patch: Partial<V>) => void,
  key: K,
  field: string = key,
): { field: string; errors: FieldErrors; value: V[K]; onChange: (value: V[K]) => void } {
  const onChange = (value: V[K]) => {
    const patch: Partial<V> = {};
    patch[key] = value;
    update(patch);
  };
  return { field, errors, value: values[key], onChange };
}

/**
 * A bare text box (no label of its own: a placeholder or `label` for screen readers), for rows of
 * controls outside a form's fields.
 */
export function TextBox({
  value,
  onChange,
  testId,
  label,
  className,
  ...rest
}: ValueProps & {
  testId?: string;
  /** Its aria-label. */
  label?: string;
  className?: string;
  placeholder?: string;
  type?: 'password';
  size?: number;
  invalid?: boolean;
  onEnter?: () => void;
}) {
  const { placeholder, type, size, invalid, onEnter } = rest;
  return (
    <input
      className={`jp-mod-styled${className ? ` ${className}` : ''}`}
      data-testid={testId}
      aria-label={label}
      aria-invalid={invalid}
      placeholder={placeholder}
      type={type}
      autoComplete={type === 'password' ? 'off' : undefined}
      size={size}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      onKeyDown={onEnter ? (e) => e.key === 'Enter' && onEnter() : undefined}
    />
  );
}

/** A bare choice among `options` (each a value and its label), for rows of controls outside a form's fields. */
export function ChoiceBox<T extends string>({
  value,
  onChange,
  options,
  testId,
  label,
}: {
  value: T;
  onChange: (value: T) => void;
  options: readonly (readonly [T, string])[];
  testId?: string;
  /** Its aria-label. */
  label: string;
}) {
  return (
    <select
      className="jp-mod-styled"
      data-testid={testId}
      aria-label={label}
      value={value}
      onChange={(e) => onChange(e.target.value as T)}
    >
      {options.map(([v, text]) => (
        <option key={v} value={v}>
          {text}
        </option>
      ))}
    </select>
  );
}
