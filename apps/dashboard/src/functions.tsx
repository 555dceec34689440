import { useState } from 'preact/hooks';
import { api } from './api';
import { parseJson, parseNumber, type Problems } from './call-editor';
import { Notice } from './components';
import { Choice, Field, Group, JsonField, SelectField, TextField } from './fields';
import { localZone } from './format';
import { FormHead, SendingForm, START_NOW, SubmitRow, timing, useSubmit, WhenFields } from './forms';
import { href } from './router';
import { useSession } from './session';
import type { DeployedFunction } from './types';

const RUNTIMES = ['nodejs20.x', 'python3.12', 'java21'] as const;
type Runtime = (typeof RUNTIMES)[number];
/** A first source file per runtime that deploys as it is (java21 takes a package only). */
const STARTERS: Record<Runtime, { handler: string; source: string }> = {
  'nodejs20.x': {
    handler: 'app.handler',
    source: 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });\n',
  },
  'python3.12': { handler: 'app.handler', source: 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n' },
  java21: { handler: 'example.Handler::handleRequest', source: '' },
};
const URL_MODES = [
  ['none', 'none'],
  ['iam', 'iam: callers sign with AWS SigV4'],
  ['public', 'public: anyone may call it'],
] as const;
type Also = 'nothing' | 'task' | 'schedule';

/** A file as base64 (the deployment package). */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve((reader.result as string).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

/**
 * Admins deploy a Lambda function from code (`POST /functions`), and may have a task or a
 * schedule that invokes it made in the same request. The API lists no functions: the page shows
 * those deployed from it while it is open.
 */
export function FunctionsPage() {
  const { me } = useSession();
  if (!me?.admin) {
    return (
      <>
        <FormHead title="Functions" />
        <p class="notice notice-bad" role="alert">
          Deploying functions is for admins: this token has no admin role.
        </p>
      </>
    );
  }
  return <DeployForm />;
}

function DeployForm() {
  const [name, setName] = useState('');
  const [runtime, setRuntime] = useState<Runtime>('python3.12');
  const [handler, setHandler] = useState(STARTERS['python3.12'].handler);
  const [codeForm, setCodeForm] = useState<'source' | 'zip'>('source');
  const [source, setSource] = useState(STARTERS['python3.12'].source);
  const [zip, setZip] = useState<File | null>(null);
  const [roleArn, setRoleArn] = useState('');
  const [memoryMb, setMemoryMb] = useState('');
  const [timeoutS, setTimeoutS] = useState('');
  const [functionUrl, setFunctionUrl] = useState<'none' | 'iam' | 'public'>('none');
  const [also, setAlso] = useState<Also>('nothing');
  const [runName, setRunName] = useState('');
  const [payload, setPayload] = useState('');
  const [retries, setRetries] = useState('');
  const [start, setStart] = useState(START_NOW);
  const [cron, setCron] = useState('');
  const [timezone, setTimezone] = useState(localZone());
  const [deployed, setDeployed] = useState<DeployedFunction[]>([]);
  const submit = useSubmit<DeployedFunction>('deploy');
  const prefix = also === 'schedule' ? 'schedule.task.' : 'task.';
  const live: Problems = {};
  if (also !== 'nothing') parseJson(payload, `${prefix}payload`, live);
  const errors = submit.errors(live);

  const pickRuntime = (next: Runtime) => {
    // The starter follows the runtime until it is edited.
    if (handler === STARTERS[runtime].handler) setHandler(STARTERS[next].handler);
    if (source === STARTERS[runtime].source) setSource(STARTERS[next].source);
    if (next === 'java21') setCodeForm('zip');
    setRuntime(next);
  };

  const build = async (problems: Problems) => {
    const body: Record<string, unknown> = { name: name.trim(), runtime, handler: handler.trim(), roleArn: roleArn.trim() };
    if (codeForm === 'source') body.code = { source };
    else if (zip) body.code = { zipBase64: await readBase64(zip) };
    else problems['code.zipBase64'] = ['choose a .zip (or a .jar for java21)'];
    for (const [key, value] of [
      ['memoryMb', memoryMb],
      ['timeoutS', timeoutS],
    ] as const) {
      const n = parseNumber(value, key, problems);
      if (n !== undefined) body[key] = n;
    }
    if (functionUrl !== 'none') body.functionUrl = functionUrl;
    if (also === 'nothing') return body;
    const run: Record<string, unknown> = {};
    const given = parseJson(payload, `${prefix}payload`, problems);
    if (given !== undefined) run.payload = given;
    const n = parseNumber(retries, `${prefix}retries`, problems);
    if (n !== undefined) run.retries = n;
    if (also === 'task') {
      body.task = { ...(runName.trim() ? { name: runName.trim() } : {}), ...run, ...timing(start, 'delayMs', problems, 'task.') };
    } else {
      body.schedule = { ...(runName.trim() ? { name: runName.trim() } : {}), cron: cron.trim(), timezone: timezone.trim(), task: run };
    }
    return body;
  };

  return (
    <>
      <SendingForm
        submit={submit}
        build={build}
        send={(body) => api.post<DeployedFunction>('/functions', body)}
        done={(fn) => setDeployed((all) => [fn, ...all])}
      >
        <FormHead title="Functions" />
        <p class="lead">
          Deploys a Lambda function from code, waits until it is Active, and answers with its ARN (and function URL when asked): tasks,
          steps and schedules can invoke it at once. With a task or a schedule, that is made in the same request.
        </p>
        {submit.summary(live)}
        <Group legend="Function">
          <div class="row">
            <TextField path="name" label="Function name" value={name} onInput={setName} errors={errors} placeholder="order-report" />
            <SelectField
              path="runtime"
              label="Runtime"
              value={runtime}
              options={RUNTIMES.map((r) => [r, r] as const)}
              onChange={pickRuntime}
              errors={errors}
            />
            <TextField
              path="handler"
              label="Handler"
              value={handler}
              onInput={setHandler}
              errors={errors}
              hint="nodejs20.x file.export, python3.12 module.function, java21 package.Class::method."
            />
          </div>
          <Choice
            legend="Code"
            name="code-form"
            value={codeForm}
            options={
              runtime === 'java21'
                ? [['zip', 'A package (.zip or .jar)']]
                : [
                    ['source', 'One source file'],
                    ['zip', 'A package (.zip)'],
                  ]
            }
            onChange={setCodeForm}
          />
          {codeForm === 'source' ? (
            <JsonField
              path="code.source"
              label="Source"
              value={source}
              onInput={setSource}
              errors={errors}
              rows={8}
              hint="Zipped as the handler's module (app.handler: app.py, or app.mjs)."
            />
          ) : (
            <Field path="code.zipBase64" label="Package" errors={errors} hint="At most 50 MB.">
              {(wiring) => (
                <input {...wiring} type="file" accept=".zip,.jar" onChange={(e) => setZip(e.currentTarget.files?.[0] ?? null)} />
              )}
            </Field>
          )}
          <TextField
            path="roleArn"
            label="Execution role ARN"
            value={roleArn}
            onInput={setRoleArn}
            errors={errors}
            placeholder="arn:aws:iam::123456789012:role/lambda-exec"
            hint="The role the function runs as; Lambda must be allowed to assume it."
          />
          <div class="row numbers">
            <TextField
              path="memoryMb"
              label="Memory (MB, optional)"
              value={memoryMb}
              onInput={setMemoryMb}
              errors={errors}
              numeric
              placeholder="128"
            />
            <TextField
              path="timeoutS"
              label="Time limit (s, optional)"
              value={timeoutS}
              onInput={setTimeoutS}
              errors={errors}
              numeric
              placeholder="3"
            />
            <SelectField
              path="functionUrl"
              label="Function URL"
              value={functionUrl}
              options={URL_MODES}
              onChange={setFunctionUrl}
              errors={errors}
            />
          </div>
        </Group>
        <Group legend="Also make">
          <Choice
            legend="With it"
            name="also"
            value={also}
            options={[
              ['nothing', 'Nothing else'],
              ['task', 'A task that invokes it'],
              ['schedule', 'A schedule whose runs invoke it'],
            ]}
            onChange={setAlso}
          />
          {also !== 'nothing' && (
            <>
              <TextField
                path={also === 'task' ? 'task.name' : 'schedule.name'}
                label={also === 'task' ? 'Task name (optional)' : 'Schedule name (optional)'}
                value={runName}
                onInput={setRunName}
                errors={errors}
              />
              <JsonField path={`${prefix}payload`} label="Payload (JSON)" value={payload} onInput={setPayload} errors={errors} />
              <TextField
                path={`${prefix}retries`}
                label="Retries"
                value={retries}
                onInput={setRetries}
                errors={errors}
                numeric
                placeholder="0"
              />
            </>
          )}
          {also === 'task' && <WhenFields draft={start} onChange={setStart} delayKey="delayMs" prefix="task." errors={errors} />}
          {also === 'schedule' && (
            <div class="row">
              <TextField path="schedule.cron" label="Cron" value={cron} onInput={setCron} errors={errors} placeholder="0 9 * * 1-5" />
              <TextField path="schedule.timezone" label="Time zone" value={timezone} onInput={setTimezone} errors={errors} />
            </div>
          )}
        </Group>
        <SubmitRow busy={submit.busy} label="Deploy function" cancelTo="/ui/tasks" back="Back to the tasks" />
      </SendingForm>
      {deployed.map((fn) => (
        <Deployed key={fn.arn} fn={fn} />
      ))}
    </>
  );
}

/** A function deployed from this page: what Lambda says of it, and the task or schedule made with it. */
function Deployed({ fn }: { fn: DeployedFunction }) {
  return (
    <section class="deployed" aria-label={`Deployed: ${fn.name}`}>
      <Notice>
        Function deployed: {fn.name}
        {fn.taskId ? ', with a task that invokes it' : fn.scheduleId ? ', with a schedule whose runs invoke it' : ''}.
      </Notice>
      <dl class="facts">
        <dt>ARN</dt>
        <dd>
          <code>{fn.arn}</code>
        </dd>
        <dt>Runtime</dt>
        <dd>{fn.runtime}</dd>
        <dt>Handler</dt>
        <dd>{fn.handler}</dd>
        <dt>State</dt>
        <dd>{fn.state}</dd>
        <dt>Version</dt>
        <dd>{fn.version ?? '—'}</dd>
        <dt>Function URL</dt>
        <dd>{fn.functionUrl ?? <span class="muted">none</span>}</dd>
        {fn.taskId && (
          <>
            <dt>Task</dt>
            <dd>
              <a href={href.task(fn.taskId)}>{fn.taskId}</a>
            </dd>
          </>
        )}
        {fn.scheduleId && (
          <>
            <dt>Schedule</dt>
            <dd>
              <a href={href.schedule(fn.scheduleId)}>{fn.scheduleId}</a>
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
