import {
  isParallelStep,
  isWaitStep,
  ORCHESTRATION_LIMITS,
  referenceSites,
  referencesInText,
  type CallRequestSpec,
  type OrchestrationPlan,
} from '../../../../common';
import { InvalidFieldsError } from '../core/errors';
import type { FieldError } from '../core/validation';

/** A call of the plan, where the request names it, and which ids it may refer to. */
interface PlannedCall {
  path: string;
  id?: string;
  request: CallRequestSpec;
  /** Ids that have answered before this call is made (a reference to another id is forward, or runs beside it). */
  before: ReadonlySet<string>;
  /** Ids of the other branches of its parallel group: they run at the same time. */
  beside: ReadonlySet<string>;
}

/**
 * The rules that hold between the fields of an orchestration's plan, which each field's own
 * validation cannot see: ids unique; at most ORCHESTRATION_LIMITS.maxCalls calls in all;
 * references (`{{calls.<id>...}}`) well-formed, to a known id, and to a call that answers before
 * the one that refers to it (a step: earlier steps, earlier calls of its branch, and the check
 * once a step has been checked; the condition check: any step's call, whose latest answer it
 * gets; the fallback: any call but itself).
 * @returns each broken rule, by the path of the field in the request.
 */
export function orchestrationPlanErrors(plan: OrchestrationPlan): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => {
    const known = errors.find((e) => e.field === field);
    if (known) known.messages.push(message);
    else errors.push({ field, messages: [message] });
  };

  const calls: PlannedCall[] = [];
  const idPaths = new Map<string, string>();
  const declare = (id: string | undefined, path: string) => {
    if (id === undefined) return;
    const first = idPaths.get(id);
    if (first) add(`${path}.id`, `id ${id} is used twice (also at ${first}.id): ids are unique in an orchestration`);
    else idPaths.set(id, path);
  };

  const answered = new Set<string>();
  const checkId = plan.conditionCheck.id;
  plan.steps.forEach((step, i) => {
    const path = `steps[${i}]`;
    // After the first step has been checked, the check's latest answer is there too.
    const before = new Set([...answered, ...(i > 0 && checkId ? [checkId] : [])]);
    if (isWaitStep(step)) {
      declare(step.id, path);
      if (step.id) answered.add(step.id);
      return;
    }
    if (isParallelStep(step)) {
      const branchIds = step.parallel.map((branch) => branch.flatMap((call) => (call.id ? [call.id] : [])));
      step.parallel.forEach((branch, b) => {
        const inBranch = new Set(before);
        const beside = new Set(branchIds.filter((_, other) => other !== b).flat());
        branch.forEach((call, c) => {
          const callPath = `${path}.parallel[${b}][${c}]`;
          declare(call.id, callPath);
          calls.push({ path: callPath, id: call.id, request: call.request, before: new Set(inBranch), beside });
          if (call.id) inBranch.add(call.id);
        });
      });
      branchIds.flat().forEach((id) => answered.add(id));
      return;
    }
    declare(step.id, path);
    calls.push({ path, id: step.id, request: step.request, before, beside: new Set() });
    if (step.id) answered.add(step.id);
  });
  declare(checkId, 'conditionCheck');
  calls.push({ path: 'conditionCheck', id: checkId, request: plan.conditionCheck.request, before: answered, beside: new Set() });
  if (plan.fallback) {
    declare(plan.fallback.id, 'fallback');
    const everyOther = new Set([...answered, ...(checkId ? [checkId] : [])]);
    calls.push({ path: 'fallback', id: plan.fallback.id, request: plan.fallback.request, before: everyOther, beside: new Set() });
  }

  if (calls.length > ORCHESTRATION_LIMITS.maxCalls) {
    add(
      'steps',
      `the orchestration makes ${calls.length} calls (steps, branches, check and fallback); at most ${ORCHESTRATION_LIMITS.maxCalls}`,
    );
  }
  for (const call of calls) {
    for (const site of referenceSites(call.request)) {
      const field = `${call.path}.${site.where}`;
      const { references, malformed } = referencesInText(site.text);
      if (malformed) add(field, 'holds a malformed reference: write {{calls.<id>.status}} or {{calls.<id>.body.<path>}}');
      for (const reference of references) {
        if (reference.id === call.id) add(field, `${reference.text} refers to the call itself`);
        else if (!idPaths.has(reference.id))
          add(field, `${reference.text} refers to no call of this orchestration (no id ${reference.id})`);
        else if (call.beside.has(reference.id)) {
          add(field, `${reference.text} refers to a call of another branch of the same parallel group, which runs at the same time`);
        } else if (!call.before.has(reference.id)) add(field, `${reference.text} refers to a later call (${idPaths.get(reference.id)})`);
      }
    }
  }
  return errors;
}

/** @throws InvalidFieldsError (400) naming each broken rule of the plan. */
export function assertValidPlan(plan: OrchestrationPlan): void {
  const errors = orchestrationPlanErrors(plan);
  if (errors.length > 0) throw new InvalidFieldsError(errors);
}
