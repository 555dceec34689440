/**
 * Sets AWS variables for the API and the worker (their SDK clients read the standard environment,
 * as in production) until the returned function restores them as they were.
 */
export function useAwsEnvironment(values: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
