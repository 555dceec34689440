import { createOutboundFetch, parseOutboundPolicy, type OutboundFetch } from '../../libs/outbound';

/** The allow-list of every test: the loopback targets tests call (and nothing else private). */
export const TEST_OUTBOUND_ALLOW_CIDRS = '127.0.0.0/8,::1/128';

/** A guarded fetch that allows loopback, as the tests' workers have it; close it when done. */
export function testOutboundFetch(): OutboundFetch {
  return createOutboundFetch(parseOutboundPolicy(TEST_OUTBOUND_ALLOW_CIDRS).policy);
}
