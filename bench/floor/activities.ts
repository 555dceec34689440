import { Context } from '@temporalio/activity';

/** The floor's one activity: holds until the due time (dispatched a little early, as the product's are), then calls. */
export const floorActivities = {
  async callAt(url: string, dueAt: number): Promise<number> {
    const holdMs = dueAt - Date.now();
    if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'x-task-id': Context.current().info.workflowExecution?.workflowId ?? '' },
    });
    await response.arrayBuffer();
    return response.status;
  },
};

export type FloorActivities = typeof floorActivities;
