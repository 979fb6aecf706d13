// The environment of a publish that must reach only local stand-ins: nothing the caller's shell
// holds that names a real account, signs for one or reaches a deployed worker (Cloudflare and R2
// credentials, the push secret, which a remote publish sends to the site's primary after its writes,
// and every MIRRORWIRE_ setting), nor a publish time.
const REACHES_REAL_SERVICES = /^(CLOUDFLARE_|R2_|MIRRORWIRE_|PUBLISH_EVENTS_|SOURCE_DATE_EPOCH$)/;

export function standInEnv(): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!REACHES_REAL_SERVICES.test(name)) kept[name] = value;
  return kept;
}
