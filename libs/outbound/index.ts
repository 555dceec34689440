/** The outbound-safety (SSRF) guard: which destinations the scheduler may call, and a fetch that enforces it. */
export {
  PUBLIC_ONLY,
  addressRange,
  addressRefusal,
  ipLiteralHost,
  parseOutboundPolicy,
  refusalMessage,
  refusedRange,
  urlRefusal,
  type AllowedCidr,
  type OutboundPolicy,
} from './address-policy';
export {
  OutboundRefusedError,
  createGuardedLookup,
  createOutboundFetch,
  isOutboundRefusal,
  type OutboundFetch,
  type OutboundFetchOptions,
  type OutboundRequestInit,
} from './guarded-fetch';
