/** The outbound-safety (SSRF) guard: which destinations the scheduler may call, and a fetch that enforces it. */
export {
  CLOUD_METADATA,
  PUBLIC_ONLY,
  SYSTEM_ENDPOINT,
  addressRange,
  addressRefusal,
  ipLiteralHost,
  isMetadataName,
  parseEndpoint,
  parseOutboundPolicy,
  refusalMessage,
  refusedRange,
  urlPort,
  urlRefusal,
  withDeniedEndpoints,
  type AllowedCidr,
  type DeniedEndpoint,
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
export { ALLOW_LIST_VARIABLE, globMatches, targetForms, targetRefusal, type AllowListedTarget } from './target-allow-list';
