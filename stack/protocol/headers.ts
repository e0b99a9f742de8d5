/** Response headers that carry per-request evidence from the stack to the reports. */
export const headers = {
  requestId: 'x-request-id',
  queueMs: 'x-gauntlet-queue-ms',
  batchSize: 'x-gauntlet-batch-size',
  workerId: 'x-gauntlet-worker-id',
  batcherId: 'x-gauntlet-batcher-id',
  attempts: 'x-gauntlet-attempts',
} as const;
