import * as React from 'react';

/** A row of tabs, the current one marked; each tab's test id is `<testIdPrefix><id>`. */
export function TabBar<T extends string>(props: {
  tabs: readonly { id: T; label: string }[];
  current: T;
  onSelect: (tab: T) => void;
  testIdPrefix: string;
}) {
  const { tabs, current } = props;
  return (
    <div className="aiplat-tabs" role="tablist">
      {tabs.map((t) => (
        <button
          key={t.id}
          role="tab"
          aria-selected={current === t.id}
          className={`aiplat-tab${current === t.id ? ' aiplat-mod-selected' : ''}`}
          data-testid={`${props.testIdPrefix}${t.id}`}
          onClick={() => props.onSelect(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
