// Where the headless server listens. Loopback by default — 127.0.0.1 and, when the machine
// has IPv6, ::1 on the same port, because browsers resolve `localhost` to ::1 first and a
// stranger's server holding [::1]:port would otherwise receive our page's requests.
import http from 'node:http';
import net from 'node:net';
import { isLoopbackHostname } from './requestGuards';

export interface BindPlan {
  addresses: { address: string; optional: boolean }[];
  /** The host a non-loopback bind answers to in the Host header ([v6] bracketed). */
  remoteHost?: string;
}

export function planBind(host: string | undefined, allowRemote: boolean): BindPlan {
  if (host === undefined || host === '' || host.toLowerCase() === 'localhost') {
    return {
      addresses: [
        { address: '127.0.0.1', optional: false },
        { address: '::1', optional: true },
      ],
    };
  }
  const bracketed = net.isIPv6(host) ? `[${host}]` : host;
  if (isLoopbackHostname(bracketed)) return { addresses: [{ address: host, optional: false }] };
  if (!allowRemote) {
    throw new Error(
      `--host ${host} is not a loopback address: anyone who can reach this machine could reach the agent's API. Pass --allow-remote as well if you mean it (inside Docker, for example), or leave --host out to listen on 127.0.0.1 only`,
    );
  }
  return { addresses: [{ address: host, optional: false }], remoteHost: bracketed };
}

export function remoteWarning(host: string): string {
  return `WARNING: listening on ${host}, which is not loopback: the API is reachable from other machines. Anyone holding the token controls the agent with your rights; keep it secret and prefer a firewall or an SSH tunnel.`;
}

/** Listens every server of the plan on one port; port 0 picks a free one for all. */
export async function listenAll(
  plan: BindPlan,
  requestedPort: number,
  makeServer: () => http.Server,
): Promise<{ servers: http.Server[]; port: number; addresses: string[] }> {
  for (let attempt = 0; ; attempt += 1) {
    const servers: http.Server[] = [];
    const addresses: string[] = [];
    let port = requestedPort;
    try {
      for (const { address, optional } of plan.addresses) {
        const server = makeServer();
        try {
          await listenOne(server, address, port);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          // No IPv6 on this machine: nobody else can hold [::1] either.
          if (optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
          throw error;
        }
        servers.push(server);
        addresses.push(address);
        const bound = server.address();
        if (typeof bound === 'object' && bound !== null) port = bound.port;
      }
      return { servers, port, addresses };
    } catch (error) {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
      // The free port 127.0.0.1 gave us is taken on ::1: pick another rather than share it.
      const code = (error as NodeJS.ErrnoException).code;
      if (requestedPort === 0 && code === 'EADDRINUSE' && attempt < 5) continue;
      if (code === 'EADDRINUSE') {
        throw new Error(`port ${port} is already in use; choose another with --port`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

function listenOne(server: http.Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    // ipv6Only: [::1] must not also claim the IPv4 side, which 127.0.0.1 already holds.
    server.listen({ host: address, port, ipv6Only: net.isIPv6(address), exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
