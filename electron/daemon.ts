import { startEmbeddedNetwork } from './core/embedded';

// The headless wallet. For now it brings up the node connection's default: the embedded simulated network.
const network = await startEmbeddedNetwork();
process.stdout.write(
  `${JSON.stringify({ status: 'ready', simulated: true, banner: 'Simulated network: no real money', node: network.wallet.host, lndconnect: network.wallet.lndconnect })}\n`,
);
const stop = async () => {
  await network.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
