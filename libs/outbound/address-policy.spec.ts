import {
  PUBLIC_ONLY,
  addressRange,
  addressRefusal,
  ipLiteralHost,
  parseOutboundPolicy,
  urlRefusal,
  withDeniedEndpoints,
} from './address-policy';

/** The policy `text` parses to, failing the test if it has problems. */
function policyOf(text: string, denied?: string) {
  const { policy, problems } = parseOutboundPolicy(text, denied);
  expect(problems).toEqual([]);
  return policy;
}

/**
 * SSRF payloads as the public corpora list them (PayloadsAllTheThings' SSRF README,
 * cujanovic/SSRF-Testing, the OWASP SSRF prevention cheat sheet), each with the exact refusal.
 * The address in the refusal is the host after WHATWG URL normalisation.
 */
const SSRF_CORPUS: ReadonlyArray<readonly [string, string, string]> = [
  // Loopback, plainly and on the local Temporal ports.
  ['plain loopback', 'http://127.0.0.1/', '127.0.0.1 (loopback)'],
  ['loopback on the Temporal gRPC port', 'http://127.0.0.1:7233/', '127.0.0.1 (loopback)'],
  ['loopback on the Temporal UI port', 'http://127.0.0.1:8233/namespaces', '127.0.0.1 (loopback)'],
  ['elsewhere in 127/8', 'http://127.127.127.127/', '127.127.127.127 (loopback)'],
  ['IPv6 loopback', 'http://[::1]/', '::1 (loopback)'],
  ['IPv6 loopback on the Temporal port', 'http://[::1]:7233/', '::1 (loopback)'],
  ['IPv6 loopback written out', 'http://[0:0:0:0:0:0:0:1]/', '::1 (loopback)'],
  // Other spellings of 127.0.0.1.
  ['decimal', 'http://2130706433/', '127.0.0.1 (loopback)'],
  ['octal, whole', 'http://017700000001/', '127.0.0.1 (loopback)'],
  ['octal, dotted', 'http://0177.0.0.1/', '127.0.0.1 (loopback)'],
  ['hex, whole', 'http://0x7f000001/', '127.0.0.1 (loopback)'],
  ['hex, short', 'http://0x7f.1/', '127.0.0.1 (loopback)'],
  ['hex, dotted', 'http://0x7f.0x0.0x0.0x1/', '127.0.0.1 (loopback)'],
  ['short, two parts', 'http://127.1/', '127.0.0.1 (loopback)'],
  ['short, three parts', 'http://127.0.1:3000/', '127.0.0.1 (loopback)'],
  ['zero-padded', 'http://127.000.000.001/', '127.0.0.1 (loopback)'],
  ['trailing dot', 'http://127.0.0.1./', '127.0.0.1 (loopback)'],
  ['percent-encoded', 'http://%31%32%37.0.0.1/', '127.0.0.1 (loopback)'],
  ['enclosed alphanumerics', 'http://①②⑦.⓪.⓪.①/', '127.0.0.1 (loopback)'],
  ['ideographic full stops', 'http://127。0。0。1/', '127.0.0.1 (loopback)'],
  // Parser confusion: userinfo and fragments.
  ['userinfo', 'http://user@127.0.0.1/', '127.0.0.1 (loopback)'],
  ['user and password on the Temporal port', 'http://user:pass@127.0.0.1:7233/', '127.0.0.1 (loopback)'],
  ['a trusted name as userinfo', 'http://example.com@10.0.0.1/', '10.0.0.1 (private)'],
  ['a trusted name after the fragment', 'http://127.0.0.1#@example.com/', '127.0.0.1 (loopback)'],
  // 0.0.0.0, which reaches the local host on Linux.
  ['0.0.0.0 on the Temporal port', 'http://0.0.0.0:7233/', '0.0.0.0 (unspecified)'],
  ['0', 'http://0/', '0.0.0.0 (unspecified)'],
  ['00000', 'http://00000/', '0.0.0.0 (unspecified)'],
  ['hex 0', 'http://0x0/', '0.0.0.0 (unspecified)'],
  ['IPv6 unspecified', 'http://[::]/', ':: (unspecified)'],
  // Cloud metadata services.
  ['AWS/GCP/Azure metadata', 'http://169.254.169.254/latest/meta-data/', '169.254.169.254 (linkLocal)'],
  ['metadata, decimal', 'http://2852039166/', '169.254.169.254 (linkLocal)'],
  ['metadata, hex', 'http://0xA9FEA9FE/', '169.254.169.254 (linkLocal)'],
  ['metadata, octal', 'http://0251.0376.0251.0376/', '169.254.169.254 (linkLocal)'],
  ['metadata, short', 'http://169.254.43518/', '169.254.169.254 (linkLocal)'],
  ['AWS metadata over IPv6', 'http://[fd00:ec2::254]/latest/meta-data/', 'fd00:ec2::254 (uniqueLocal)'],
  ['Alibaba metadata (in CGNAT space)', 'http://100.100.100.200/latest/meta-data/', '100.100.100.200 (carrierGradeNat)'],
  ['Oracle Cloud metadata', 'http://192.0.0.192/latest/', '192.0.0.192 (reserved)'],
  ['IPv6 link-local', 'http://[fe80::1]/', 'fe80::1 (linkLocal)'],
  // IPv4 inside IPv6.
  ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 (ipv4Mapped)'],
  ['IPv4-mapped loopback, written out', 'http://[0:0:0:0:0:ffff:127.0.0.1]:7233/', '::ffff:7f00:1 (ipv4Mapped)'],
  ['IPv4-mapped metadata', 'http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe (ipv4Mapped)'],
  ['IPv4-mapped metadata in hex', 'http://[::ffff:a9fe:a9fe]/', '::ffff:a9fe:a9fe (ipv4Mapped)'],
  ['IPv4-mapped public address', 'http://[::ffff:93.184.216.34]/', '::ffff:5db8:d822 (ipv4Mapped)'],
  ['IPv4-compatible loopback', 'http://[::127.0.0.1]/', '::7f00:1 (ipv4Compatible)'],
  ['NAT64 loopback', 'http://[64:ff9b::127.0.0.1]/', '64:ff9b::7f00:1 (rfc6052)'],
  ['NAT64 metadata', 'http://[64:ff9b::a9fe:a9fe]/', '64:ff9b::a9fe:a9fe (rfc6052)'],
  ['local-use NAT64', 'http://[64:ff9b:1::a00:1]/', '64:ff9b:1::a00:1 (rfc6052)'],
  ['6to4 of loopback', 'http://[2002:7f00:1::]/', '2002:7f00:1:: (6to4)'],
  ['6to4 of metadata', 'http://[2002:a9fe:a9fe::1]/', '2002:a9fe:a9fe::1 (6to4)'],
  ['Teredo', 'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', '2001:0:4136:e378:8000:63bf:3fff:fdd2 (teredo)'],
  // Private networks.
  ['10/8', 'http://10.0.0.1/', '10.0.0.1 (private)'],
  ['172.16/12, low end', 'http://172.16.0.1/', '172.16.0.1 (private)'],
  ['172.16/12, high end', 'http://172.31.255.254/', '172.31.255.254 (private)'],
  ['192.168/16 with a port', 'http://192.168.1.1:8080/admin', '192.168.1.1 (private)'],
  ['192.168/16, decimal', 'http://3232235521/', '192.168.0.1 (private)'],
  ['192.168/16, hex', 'http://0xc0a80001/', '192.168.0.1 (private)'],
  ['CGNAT', 'http://100.64.0.1/', '100.64.0.1 (carrierGradeNat)'],
  ['IPv6 unique-local', 'http://[fc00::1]/', 'fc00::1 (uniqueLocal)'],
  ['IPv6 site-local', 'http://[fec0::1]/', 'fec0::1 (deprecatedSiteLocal)'],
  // Multicast, broadcast, reserved, benchmarking.
  ['multicast', 'http://224.0.0.1/', '224.0.0.1 (multicast)'],
  ['SSDP multicast', 'http://239.255.255.250:1900/', '239.255.255.250 (multicast)'],
  ['IPv6 multicast', 'http://[ff02::1]/', 'ff02::1 (multicast)'],
  ['broadcast', 'http://255.255.255.255/', '255.255.255.255 (broadcast)'],
  ['broadcast, decimal', 'http://4294967295/', '255.255.255.255 (broadcast)'],
  ['TEST-NET-1', 'http://192.0.2.1/', '192.0.2.1 (reserved)'],
  ['benchmarking 198.18/15', 'http://198.18.0.1/', '198.18.0.1 (reserved)'],
  ['class E', 'http://240.0.0.1/', '240.0.0.1 (reserved)'],
  ['IPv6 documentation', 'http://[2001:db8::1]/', '2001:db8::1 (reserved)'],
  ['IPv6 benchmarking', 'http://[2001:2::1]/', '2001:2::1 (benchmarking)'],
  ['IPv6 discard', 'http://[100::1]/', '100::1 (discard)'],
  ['IPv6 outside 2000::/3', 'http://[4000::1]/', '4000::1 (reserved)'],
];

describe('urlRefusal', () => {
  it(`has a corpus of ${SSRF_CORPUS.length} SSRF payloads, at least 30`, () => {
    expect(SSRF_CORPUS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(SSRF_CORPUS)('refuses %s (%s) as %s', (_name, url, refusal) => {
    expect(urlRefusal(url, PUBLIC_ONLY)).toBe(`destination not allowed: ${refusal}`);
  });

  it.each([
    ['http://93.184.216.34/'],
    ['https://93.184.216.34:8443/hook'],
    ['http://[2606:2800:220:1:248:1893:25c8:1946]/'],
    ['http://1.1.1.1 &@2.2.2.2# @3.3.3.3/'],
  ])('allows the public address in %s', (url) => {
    expect(urlRefusal(url, PUBLIC_ONLY)).toBeNull();
  });

  it.each([['http://localhost/'], ['http://127.0.0.1.nip.io/'], ['https://abc123.lambda-url.eu-central-1.on.aws/jobs/report']])(
    'leaves the host name in %s to the check at connect time',
    (url) => {
      expect(urlRefusal(url, PUBLIC_ONLY)).toBeNull();
    },
  );

  it.each([
    ['http://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal'],
    ['http://METADATA.Google.Internal./computeMetadata/v1/', 'metadata.google.internal'],
    ['http://metadata.goog/', 'metadata.goog'],
    ['http://metadata/computeMetadata/v1/', 'metadata'],
    ['http://instance-data/latest/meta-data/', 'instance-data'],
    ['http://instance-data.ec2.internal/latest/', 'instance-data.ec2.internal'],
  ])('refuses the cloud metadata name in %s at create', (url, name) => {
    expect(urlRefusal(url, PUBLIC_ONLY)).toBe(`destination not allowed: ${name} (cloud metadata)`);
  });

  it('leaves a URL that does not parse to URL validation', () => {
    expect(urlRefusal('not a url', PUBLIC_ONLY)).toBeNull();
    expect(urlRefusal('http://256.0.0.1/', PUBLIC_ONLY)).toBeNull();
  });
});

describe('ipLiteralHost', () => {
  it('gives the normalised IP literal, without brackets, and null for host names', () => {
    expect(ipLiteralHost('http://0x7f.1:7233/')).toBe('127.0.0.1');
    expect(ipLiteralHost(new URL('http://[0:0:0:0:0:ffff:127.0.0.1]/'))).toBe('::ffff:7f00:1');
    expect(ipLiteralHost('http://example.com/')).toBeNull();
  });
});

describe('addressRefusal', () => {
  it('names the address and its range', () => {
    expect(addressRefusal('169.254.169.254', PUBLIC_ONLY)).toBe('destination not allowed: 169.254.169.254 (linkLocal)');
    expect(addressRefusal('fe80::1%eth0', PUBLIC_ONLY)).toBe('destination not allowed: fe80::1%eth0 (linkLocal)');
  });

  it('allows public unicast addresses', () => {
    expect(addressRefusal('93.184.216.34', PUBLIC_ONLY)).toBeNull();
    expect(addressRefusal('2606:2800:220:1:248:1893:25c8:1946', PUBLIC_ONLY)).toBeNull();
  });

  it('refuses what is not an IP address as Node writes one, even what inet_aton would accept', () => {
    expect(addressRefusal('localhost', PUBLIC_ONLY)).toBe('destination not allowed: localhost (invalid)');
    expect(addressRefusal('0177.0.0.1', PUBLIC_ONLY)).toBe('destination not allowed: 0177.0.0.1 (invalid)');
  });
});

describe('addressRange', () => {
  it('names public addresses unicast and special ones by their range', () => {
    expect([
      addressRange('8.8.8.8'),
      addressRange('2a00:1450:4001:80b::200e'),
      addressRange('100.64.0.1'),
      addressRange('::ffff:7f00:1'),
      addressRange('not-an-ip'),
    ]).toEqual(['unicast', 'unicast', 'carrierGradeNat', 'ipv4Mapped', 'invalid']);
  });
});

describe('parseOutboundPolicy (OUTBOUND_ALLOW_CIDRS)', () => {
  it('allows nothing extra when unset or empty', () => {
    expect(parseOutboundPolicy(undefined)).toEqual({ policy: { allow: [], deny: [] }, problems: [] });
    expect(parseOutboundPolicy('')).toEqual({ policy: { allow: [], deny: [] }, problems: [] });
    expect(parseOutboundPolicy(' , ', ' , ')).toEqual({ policy: { allow: [], deny: [] }, problems: [] });
  });

  it('reads a comma-separated list of IPv4 and IPv6 CIDRs, spaces allowed', () => {
    const { policy, problems } = parseOutboundPolicy('127.0.0.0/8, ::1/128 ,10.1.0.0/16');
    expect(problems).toEqual([]);
    expect(policy.allow.map((cidr) => cidr.text)).toEqual(['127.0.0.0/8', '::1/128', '10.1.0.0/16']);
  });

  it('names every entry that is not a CIDR and keeps the good ones', () => {
    const { policy, problems } = parseOutboundPolicy('10.0.0.0/33,127.1/8,10.0.0.1,::1/129,fe80::/10%eth0,192.168.0.0/16,localhost/8');
    expect(problems).toEqual([
      'OUTBOUND_ALLOW_CIDRS: "10.0.0.0/33" is not a CIDR',
      'OUTBOUND_ALLOW_CIDRS: "127.1/8" is not a CIDR',
      'OUTBOUND_ALLOW_CIDRS: "10.0.0.1" is not a CIDR',
      'OUTBOUND_ALLOW_CIDRS: "::1/129" is not a CIDR',
      'OUTBOUND_ALLOW_CIDRS: "fe80::/10%eth0" is not a CIDR',
      'OUTBOUND_ALLOW_CIDRS: "localhost/8" is not a CIDR',
    ]);
    expect(policy.allow.map((cidr) => cidr.text)).toEqual(['192.168.0.0/16']);
  });
});

describe('the allow-list', () => {
  const loopback = policyOf('127.0.0.0/8,::1/128');

  it('refuses loopback without it', () => {
    expect(urlRefusal('http://127.0.0.1:7233/', PUBLIC_ONLY)).toBe('destination not allowed: 127.0.0.1 (loopback)');
    expect(urlRefusal('http://[::1]:7233/', PUBLIC_ONLY)).toBe('destination not allowed: ::1 (loopback)');
  });

  it('allows loopback with 127.0.0.0/8,::1/128, in every spelling', () => {
    expect(
      ['http://127.0.0.1:7233/', 'http://2130706433/', 'http://127.1/', 'http://[::1]/'].map((url) => urlRefusal(url, loopback)),
    ).toEqual([null, null, null, null]);
  });

  it('matches an IPv4-mapped IPv6 literal by its embedded IPv4 address', () => {
    expect(urlRefusal('http://[::ffff:127.0.0.1]/', loopback)).toBeNull();
    expect(urlRefusal('http://[::ffff:10.0.0.1]/', loopback)).toBe('destination not allowed: ::ffff:a00:1 (ipv4Mapped)');
  });

  it('still refuses everything else that is not public', () => {
    expect(urlRefusal('http://169.254.169.254/', loopback)).toBe('destination not allowed: 169.254.169.254 (linkLocal)');
    expect(urlRefusal('http://[::2]/', loopback)).toBe('destination not allowed: ::2 (ipv4Compatible)');
  });

  it('allows exactly the private range an allowed CIDR covers', () => {
    const policy = policyOf('10.1.0.0/16');
    expect(
      ['10.1.0.0', '10.1.255.255', '10.0.255.255', '10.2.0.0', '192.168.0.1'].map((address) => addressRefusal(address, policy)),
    ).toEqual([
      null,
      null,
      'destination not allowed: 10.0.255.255 (private)',
      'destination not allowed: 10.2.0.0 (private)',
      'destination not allowed: 192.168.0.1 (private)',
    ]);
  });

  it('allows an IPv6 range by an IPv6 CIDR only', () => {
    const policy = policyOf('fd00:ec2::/32');
    expect(addressRefusal('fd00:ec2::1', policy)).toBeNull();
    expect(addressRefusal('fd00:ec3::254', policy)).toBe('destination not allowed: fd00:ec3::254 (uniqueLocal)');
  });
});

describe('cloud metadata endpoints', () => {
  // An operator who allows every private range still never lets a call reach instance credentials.
  const everything = policyOf('0.0.0.0/0,::/0');

  it.each([
    ['169.254.169.254', 'AWS, GCP and Azure'],
    ['169.254.170.2', 'AWS ECS task metadata'],
    ['fd00:ec2::254', 'AWS over IPv6'],
    ['168.63.129.16', "Azure's wireserver, a public address"],
    ['100.100.100.200', 'Alibaba'],
    ['192.0.0.192', 'Oracle'],
  ])('refuses %s (%s) even where the allow-list admits it', (address) => {
    expect(addressRefusal(address, everything)).toBe(`destination not allowed: ${address} (cloud metadata)`);
  });

  it('refuses them in IPv4-mapped and NAT64 spellings too', () => {
    expect(urlRefusal('http://[::ffff:169.254.169.254]/', everything)).toBe('destination not allowed: ::ffff:a9fe:a9fe (cloud metadata)');
    expect(urlRefusal('http://[64:ff9b::a9fe:a9fe]/', everything)).toBe('destination not allowed: 64:ff9b::a9fe:a9fe (cloud metadata)');
  });

  it('refuses 168.63.129.16 under the default policy, where every other public address passes', () => {
    expect(urlRefusal('http://168.63.129.16/machine?comp=goalstate', PUBLIC_ONLY)).toBe(
      'destination not allowed: 168.63.129.16 (cloud metadata)',
    );
    expect(urlRefusal('http://168.63.129.17/', PUBLIC_ONLY)).toBeNull();
  });
});

describe("the system's own endpoints (denied host:port)", () => {
  const loopback = '127.0.0.0/8,::1/128';

  it('reads OUTBOUND_DENY as host:port, [ipv6]:port or a URL, and names every bad entry', () => {
    const { policy, problems } = parseOutboundPolicy(
      '',
      'temporal:7233, 127.0.0.1:8233,[::1]:3000,http://Grafana.internal/,nope,host:0,x:y',
    );
    expect(policy.deny).toEqual([
      { host: 'temporal', port: 7233, text: 'temporal:7233' },
      { host: '127.0.0.1', port: 8233, text: '127.0.0.1:8233' },
      { host: '::1', port: 3000, text: '[::1]:3000' },
      { host: 'grafana.internal', port: 80, text: 'http://Grafana.internal/' },
    ]);
    expect(problems).toEqual([
      'OUTBOUND_DENY: "nope" is not host:port (a host name, an IPv4 address or a bracketed IPv6 address)',
      'OUTBOUND_DENY: "host:0" is not host:port (a host name, an IPv4 address or a bracketed IPv6 address)',
      'OUTBOUND_DENY: "x:y" is not host:port (a host name, an IPv4 address or a bracketed IPv6 address)',
    ]);
  });

  it('refuses a denied port even where loopback is allowed, and leaves the other ports to the allow-list', () => {
    const policy = withDeniedEndpoints(policyOf(loopback), ['127.0.0.1:7233', 'http://127.0.0.1:8233']);
    expect(urlRefusal('http://127.0.0.1:8233/api/v1/namespaces/default/workflows', policy)).toBe(
      'destination not allowed: 127.0.0.1:8233 (system endpoint)',
    );
    expect(urlRefusal('http://127.0.0.1:7233/', policy)).toBe('destination not allowed: 127.0.0.1:7233 (system endpoint)');
    expect(urlRefusal('http://127.0.0.1:8234/', policy)).toBeNull();
  });

  it('refuses the port on every address of this machine: a server on 127.0.0.1 or 0.0.0.0 answers on all of them', () => {
    const policy = policyOf(loopback, '127.0.0.1:8233');
    expect(
      ['http://127.0.0.2:8233/', 'http://127.1:8233/', 'http://[::1]:8233/', 'http://[::ffff:127.0.0.1]:8233/', 'http://0.0.0.0:8233/'].map(
        (url) => urlRefusal(url, withDeniedEndpoints(policyOf(`${loopback},0.0.0.0/32`), ['127.0.0.1:8233'])) ?? url,
      ),
    ).toEqual([
      'destination not allowed: 127.0.0.2:8233 (system endpoint)',
      'destination not allowed: 127.0.0.1:8233 (system endpoint)',
      'destination not allowed: [::1]:8233 (system endpoint)',
      'destination not allowed: [::ffff:7f00:1]:8233 (system endpoint)',
      'destination not allowed: 0.0.0.0:8233 (system endpoint)',
    ]);
    expect(addressRefusal('127.0.0.1', policy, 8233)).toBe('destination not allowed: 127.0.0.1:8233 (system endpoint)');
  });

  it('matches a remote denied address exactly, and only on its port', () => {
    const policy = policyOf('10.0.0.0/8', '10.0.0.5:9090');
    expect(addressRefusal('10.0.0.5', policy, 9090)).toBe('destination not allowed: 10.0.0.5:9090 (system endpoint)');
    expect(addressRefusal('10.0.0.6', policy, 9090)).toBeNull();
    expect(addressRefusal('10.0.0.5', policy, 9091)).toBeNull();
  });
});
