import { Clipboard } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/** A button that copies `text` to the clipboard and says so for a moment. */
export function CopyButton({ text, trans, testId }: { text: string; trans: TranslationBundle; testId: string }) {
  const [copied, setCopied] = React.useState(false);
  React.useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="jp-mod-styled"
      data-testid={testId}
      onClick={() => {
        Clipboard.copyToSystem(text);
        setCopied(true);
      }}
    >
      {copied ? trans.__('Copied') : trans.__('Copy')}
    </button>
  );
}
