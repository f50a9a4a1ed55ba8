import { type ParseArgsConfig, parseArgs } from 'node:util';

// simnet's command lines (`npm run simnet`, `npm run bench:simnet`): `--help` prints the usage and exits 0; an
// unknown flag or a bad value prints one line naming it, then the usage, and exits 2. simnet imports nothing of the
// app's, so it keeps this small helper of its own (the app's is electron/core/command-line.ts).

type Options = NonNullable<ParseArgsConfig['options']>;

export function simnetCommandLine<O extends Options>(spec: { name: string; usage: string; options: O }) {
  const argv = process.argv.slice(2);
  const usage = `usage: ${spec.name} [options]\n${spec.usage.replace(/\n*$/, '\n')}  --help                  print this and exit\n`;
  const fail = (message: string): never => {
    process.stderr.write(`${spec.name.replace(/ --$/, '')}: ${message}\n${usage}`);
    process.exit(2);
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    process.exit(0);
  }
  try {
    const { values } = parseArgs({ args: argv, options: spec.options, strict: true, allowPositionals: false });
    return { values, fail };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    const positional = /^Unexpected argument '([^']+)'/.exec(message);
    return fail(
      unknown
        ? `unknown option ${unknown[1]}`
        : positional
          ? `unexpected argument ${positional[1]}`
          : (message.split('\n')[0] ?? message),
    );
  }
}
