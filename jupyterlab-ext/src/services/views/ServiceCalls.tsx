import {
  prettyBody,
  sendTestRequest,
  streamChat,
  TEST_METHODS,
  testRequestProblem,
  type AppKey,
  type ChatMessage,
  type ChatUsage,
  type TestMethod,
  type TestRequestProblem,
  type TestResponse,
} from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { ChoiceBox, TextBox } from '../../training/views/FormField.js';
import { curlAppKeys, signedCurl } from '../model/signedCurl.js';
import { CopyButton } from './CopyButton.js';

export interface ServiceCallsProps {
  /** The service's full URL through the gateway (ends with `/`). */
  serviceUrl: string;
  /** The connection's token: the gateway lets the service's owner in with it. */
  token: () => string | undefined;
  /** The AppKeys bound to the service, for the signed curl. */
  appKeys: readonly AppKey[];
  trans: TranslationBundle;
}

function problemText(problem: TestRequestProblem, trans: TranslationBundle): string {
  switch (problem) {
    case 'path':
      return trans.__('The path starts with / and holds no spaces, e.g. /predict');
    case 'json':
      return trans.__('The body is not JSON.');
    case 'bodyWithGet':
      return trans.__('A GET sends no body: choose POST, or empty the body.');
  }
}

/** One request through the gateway, as the user; the answer shown with its status and time. */
function TestPanel({ serviceUrl, token, trans }: ServiceCallsProps) {
  const [method, setMethod] = React.useState<TestMethod>('POST');
  const [path, setPath] = React.useState('/');
  const [body, setBody] = React.useState('{}');
  const [sending, setSending] = React.useState(false);
  const [answer, setAnswer] = React.useState<TestResponse | undefined>(undefined);
  const [error, setError] = React.useState<string | undefined>(undefined);
  const problem = testRequestProblem({ method, path, body });
  return (
    <section className="aiplat-service-call" data-testid="aiplat-service-test">
      <h3>{trans.__('Online test')}</h3>
      <div className="aiplat-form-row">
        <ChoiceBox<TestMethod>
          testId="aiplat-service-test-method"
          label={trans.__('Method')}
          value={method}
          onChange={setMethod}
          options={TEST_METHODS.map((m) => [m, m] as const)}
        />
        <TextBox
          className="aiplat-service-path"
          testId="aiplat-service-test-path"
          label={trans.__('Path')}
          value={path}
          onChange={setPath}
        />
        <button
          className="jp-mod-styled jp-mod-accept"
          data-testid="aiplat-service-test-send"
          disabled={sending || problem !== undefined}
          onClick={() => {
            setSending(true);
            setError(undefined);
            void sendTestRequest(serviceUrl, token(), { method, path, body })
              .then(setAnswer, (e: unknown) => {
                setAnswer(undefined);
                setError(e instanceof Error ? e.message : String(e));
              })
              .finally(() => setSending(false));
          }}
        >
          {sending ? trans.__('Sending…') : trans.__('Send')}
        </button>
      </div>
      <textarea
        className="jp-mod-styled aiplat-form-code"
        data-testid="aiplat-service-test-body"
        aria-label={trans.__('JSON body')}
        rows={5}
        value={body}
        onChange={(e) => setBody(e.target.value)}
      />
      {problem && (
        <div className="aiplat-form-error" data-testid="aiplat-service-test-problem" role="alert">
          {problemText(problem, trans)}
        </div>
      )}
      {error && (
        <div className="aiplat-error" role="alert">
          {error}
        </div>
      )}
      {answer && (
        <div className="aiplat-service-answer" data-testid="aiplat-service-test-response" data-status={answer.status}>
          <div className="aiplat-service-answerStatus">
            {answer.status} {answer.statusText} · {trans.__('%1 ms', answer.elapsedMs)}
            {answer.truncated ? ` · ${trans.__('cut at 64 KiB')}` : ''}
          </div>
          <pre>{prettyBody(answer.body, answer.contentType)}</pre>
        </div>
      )}
    </section>
  );
}

/** An OpenAI chat box: the reply streams in delta by delta; usage at the end. */
function ChatBox({ serviceUrl, token, trans }: ServiceCallsProps) {
  const [messages, setMessages] = React.useState<ChatMessage[]>([]);
  const [input, setInput] = React.useState('');
  const [model, setModel] = React.useState('');
  const [reply, setReply] = React.useState<string | undefined>(undefined);
  const [usage, setUsage] = React.useState<ChatUsage | undefined>(undefined);
  const [error, setError] = React.useState<string | undefined>(undefined);
  const abort = React.useRef<AbortController | undefined>(undefined);
  React.useEffect(() => () => abort.current?.abort(), []);
  const streaming = reply !== undefined;
  const send = () => {
    const text = input.trim();
    if (!text || streaming) return;
    const history: ChatMessage[] = [...messages, { role: 'user', content: text }];
    setMessages(history);
    setInput('');
    setReply('');
    setUsage(undefined);
    setError(undefined);
    const controller = new AbortController();
    abort.current = controller;
    void streamChat({
      serviceUrl,
      token: token(),
      messages: history,
      ...(model.trim() ? { model: model.trim() } : {}),
      signal: controller.signal,
      onDelta: (delta) => setReply((before) => (before ?? '') + delta),
    })
      .then(
        (result) => {
          setMessages([...history, { role: 'assistant', content: result.text }]);
          setUsage(result.usage);
        },
        (e: unknown) => {
          if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
        },
      )
      .finally(() => setReply(undefined));
  };
  return (
    <section className="aiplat-service-call" data-testid="aiplat-service-chat">
      <h3>{trans.__('Chat (OpenAI-compatible)')}</h3>
      <p className="aiplat-form-hint">{trans.__('POST /v1/chat/completions with stream: true, as you.')}</p>
      <div className="aiplat-service-chatLog" data-testid="aiplat-service-chat-log">
        {messages.map((m, i) => (
          <div key={i} className={`aiplat-service-chatMessage aiplat-mod-${m.role}`} data-role={m.role}>
            {m.content}
          </div>
        ))}
        {streaming && (
          <div className="aiplat-service-chatMessage aiplat-mod-assistant" data-testid="aiplat-service-chat-streaming">
            {reply || '…'}
          </div>
        )}
      </div>
      {usage && (
        <div className="aiplat-form-hint" data-testid="aiplat-service-chat-usage">
          {trans.__(
            'Tokens: %1 prompt, %2 completion, %3 in all',
            usage.prompt_tokens ?? '?',
            usage.completion_tokens ?? '?',
            usage.total_tokens ?? '?',
          )}
        </div>
      )}
      {error && (
        <div className="aiplat-error" role="alert">
          {error}
        </div>
      )}
      <div className="aiplat-form-row">
        <TextBox
          testId="aiplat-service-chat-model"
          placeholder={trans.__('Model (optional)')}
          value={model}
          onChange={setModel}
        />
        <TextBox
          className="aiplat-service-chatInput"
          testId="aiplat-service-chat-input"
          placeholder={trans.__('Message')}
          value={input}
          onChange={setInput}
          onEnter={send}
        />
        {streaming ? (
          <button className="jp-mod-styled jp-mod-warn" onClick={() => abort.current?.abort()}>
            {trans.__('Stop')}
          </button>
        ) : (
          <button
            className="jp-mod-styled jp-mod-accept"
            data-testid="aiplat-service-chat-send"
            disabled={!input.trim()}
            onClick={send}
          >
            {trans.__('Send')}
          </button>
        )}
        <button
          className="jp-mod-styled"
          disabled={streaming || messages.length === 0}
          onClick={() => {
            setMessages([]);
            setUsage(undefined);
          }}
        >
          {trans.__('Clear')}
        </button>
      </div>
    </section>
  );
}

/** A ready-to-paste curl with the 慧聚 signature; the pasted AppSecret lives only in this field. */
function SignedCurlPanel({ serviceUrl, appKeys, trans }: ServiceCallsProps) {
  const [appKey, setAppKey] = React.useState('');
  const [secret, setSecret] = React.useState('');
  const [path, setPath] = React.useState('/');
  const [body, setBody] = React.useState('');
  const [command, setCommand] = React.useState<string | undefined>(undefined);
  const [error, setError] = React.useState<string | undefined>(undefined);
  const offered = curlAppKeys(appKeys, appKey);
  const chosen = offered.kind === 'offered' ? offered.chosen : '';
  return (
    <section className="aiplat-service-call" data-testid="aiplat-service-curl">
      <h3>{trans.__('Signed curl command')}</h3>
      {offered.kind !== 'offered' ? (
        <p className="aiplat-form-hint" data-testid="aiplat-service-curl-nokey">
          {offered.kind === 'none'
            ? trans.__('Create an AppKey for this service under Keys and tokens first.')
            : trans.__('Every AppKey of this service is disabled: enable one under Keys and tokens.')}
        </p>
      ) : (
        <>
          <p className="aiplat-form-hint">
            {trans.__(
              'Paste the AppKey’s secret: it signs here, in the page, and is neither stored nor sent. The Timestamp is valid for a few minutes.',
            )}
          </p>
          <div className="aiplat-form-row">
            <ChoiceBox
              testId="aiplat-service-curl-appkey"
              label={trans.__('AppKey')}
              value={chosen}
              onChange={setAppKey}
              options={offered.keys.map(
                (k) => [k.appKey, k.appKey + (k.description ? ` (${k.description})` : '')] as const,
              )}
            />
            <TextBox
              type="password"
              testId="aiplat-service-curl-secret"
              placeholder={trans.__('AppSecret')}
              value={secret}
              onChange={setSecret}
            />
            <TextBox testId="aiplat-service-curl-path" label={trans.__('Path')} value={path} onChange={setPath} />
          </div>
          <textarea
            className="jp-mod-styled aiplat-form-code"
            data-testid="aiplat-service-curl-body"
            placeholder={trans.__('JSON body (optional)')}
            rows={3}
            value={body}
            onChange={(e) => setBody(e.target.value)}
          />
          <button
            className="jp-mod-styled jp-mod-accept"
            data-testid="aiplat-service-curl-make"
            disabled={!secret || !chosen}
            onClick={() => {
              setError(undefined);
              void signedCurl({ serviceUrl, path, appKey: chosen, appSecret: secret, body, now: Date.now() }).then(
                setCommand,
                (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
              );
            }}
          >
            {trans.__('Make the command')}
          </button>
          {error && <div className="aiplat-error">{error}</div>}
          {command && (
            <div className="aiplat-service-secretLine">
              <pre data-testid="aiplat-service-curl-command">{command}</pre>
              <CopyButton text={command} trans={trans} testId="aiplat-service-curl-copy" />
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** Calling the service from the page: the online test, the chat box and the signed curl. */
export function ServiceCalls(props: ServiceCallsProps) {
  return (
    <div className="aiplat-service-calls">
      <TestPanel {...props} />
      <ChatBox {...props} />
      <SignedCurlPanel {...props} />
    </div>
  );
}
