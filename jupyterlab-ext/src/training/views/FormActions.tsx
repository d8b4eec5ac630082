import * as React from 'react';
import type { FieldErrors } from './FormField.js';

/** The problems no field shows (`shown` says which fields do), then the form's own problems. */
export function FormProblems(props: {
  errors: FieldErrors;
  generalErrors: readonly string[];
  /** The fields the form shows problems at; the others are listed here. */
  shown?: ReadonlySet<string>;
  /** The test id of the form's own problems. */
  testId: string;
}) {
  const { errors, shown } = props;
  const elsewhere = shown ? [...errors].filter(([field]) => !shown.has(field)) : [];
  return (
    <>
      {elsewhere.map(([field, problems]) => (
        <div key={field} className="aiplat-error" role="alert">
          {field}: {problems.join(' · ')}
        </div>
      ))}
      {props.generalErrors.length > 0 && (
        <div className="aiplat-error" data-testid={props.testId} role="alert">
          {props.generalErrors.join(' · ')}
        </div>
      )}
    </>
  );
}

/** The end of a form: its problems and its submit button, held back while busy or while any field has a problem. */
export function FormActions(props: {
  errors: FieldErrors;
  generalErrors: readonly string[];
  shown?: ReadonlySet<string>;
  busy: boolean;
  label: string;
  busyLabel: string;
  /** The submit button's test id. */
  testId: string;
  /** The test id of the form's own problems. */
  errorTestId: string;
}) {
  const { errors, generalErrors, shown } = props;
  return (
    <>
      <FormProblems
        errors={errors}
        generalErrors={generalErrors}
        {...(shown ? { shown } : {})}
        testId={props.errorTestId}
      />
      <div className="aiplat-form-actions">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          data-testid={props.testId}
          disabled={props.busy || errors.size > 0}
        >
          {props.busy ? props.busyLabel : props.label}
        </button>
      </div>
    </>
  );
}
