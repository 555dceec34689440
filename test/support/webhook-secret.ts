/** A throwaway Standard Webhooks secret for tests. */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('test-secret-0123456789abcdef').toString('base64')}`;
