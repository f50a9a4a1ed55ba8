import { type ParseArgsConfig, parseArgs } from 'node:util';

// The command lines of Braid's entry points (daemon, dev:web, the benchmarks, the scripts): `--help` prints the
// usage and exits 0; an unknown flag, a missing value or a bad one prints one line naming it, then the usage, and
// exits 2; no stack trace for a user's mistake. (simnet has its own small copy: it imports nothing of ours.)

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandLineSpec<O extends Options> {
  /** How the user runs it, e.g. `npm run daemon --`: starts the one-line errors and the usage. */
  name: string;
  /** The usage text after the name's line: flags, one a line, and what they do. */
  usage: string;
  options: O;
  /** Positional arguments allowed (their meaning belongs in the usage). */
  positionals?: boolean;
}

type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];

export interface CommandLine<O extends Options> {
  values: Values<O>;
  positionals: string[];
  /** Prints `name: message`, then the usage, and exits 2. */
  fail(message: string): never;
  /** A flag's value as a number within bounds (`integer` for whole numbers), or undefined when not given. */
  number(flag: keyof O & string, bounds?: { min?: number; max?: number; integer?: boolean }): number | undefined;
  /** A flag's value, one of `allowed`, or undefined when not given. */
  choice<T extends string>(flag: keyof O & string, allowed: readonly T[]): T | undefined;
  /** A comma-separated list of numbers (each checked as `number` does), or undefined when not given. */
  numbers(flag: keyof O & string, bounds?: { min?: number; max?: number; integer?: boolean }): number[] | undefined;
}

export interface CommandLineIo {
  argv?: string[];
  out?: (text: string) => void;
  err?: (text: string) => void;
  exit?: (code: number) => never;
}

/** What node:util's parseArgs says, in one line naming the flag. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const positional = /^Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument ${positional[1]}`;
  return message.split('\n')[0] ?? message;
}

export function usageText<O extends Options>(spec: CommandLineSpec<O>): string {
  return `usage: ${spec.name} [options]\n${spec.usage.replace(/\n*$/, '\n')}  --help                  print this and exit\n`;
}

export function parseCommandLine<O extends Options>(spec: CommandLineSpec<O>, io: CommandLineIo = {}): CommandLine<O> {
  const argv = io.argv ?? process.argv.slice(2);
  const out = io.out ?? ((text: string) => process.stdout.write(text));
  const err = io.err ?? ((text: string) => process.stderr.write(text));
  const exit = io.exit ?? ((code: number) => process.exit(code));
  const usage = usageText(spec);

  const fail = (message: string): never => {
    err(`${spec.name.replace(/ --$/, '')}: ${message}\n${usage}`);
    return exit(2);
  };

  if (argv.includes('--help') || argv.includes('-h')) {
    out(usage);
    exit(0);
  }

  let parsed: { values: Values<O>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: spec.options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    return fail(oneLine(error));
  }
  if (!spec.positionals && parsed.positionals.length > 0) fail(`unexpected argument ${parsed.positionals[0]}`);

  const raw = (flag: string): string | undefined => {
    const value = (parsed.values as Record<string, unknown>)[flag];
    return typeof value === 'string' ? value : undefined;
  };
  const toNumber = (flag: string, text: string, bounds: { min?: number; max?: number; integer?: boolean }) => {
    const n = text.trim() === '' ? Number.NaN : Number(text);
    const kind = bounds.integer ? 'an integer' : 'a number';
    const range =
      bounds.min !== undefined && bounds.max !== undefined
        ? ` from ${bounds.min} to ${bounds.max}`
        : bounds.min !== undefined
          ? ` of at least ${bounds.min}`
          : bounds.max !== undefined
            ? ` of at most ${bounds.max}`
            : '';
    const ok =
      Number.isFinite(n) &&
      (!bounds.integer || Number.isSafeInteger(n)) &&
      (bounds.min === undefined || n >= bounds.min) &&
      (bounds.max === undefined || n <= bounds.max);
    if (!ok) fail(`--${flag} must be ${kind}${range}, got "${text}"`);
    return n;
  };

  return {
    values: parsed.values,
    positionals: parsed.positionals,
    fail,
    number(flag, bounds = {}) {
      const text = raw(flag);
      return text === undefined ? undefined : toNumber(flag, text, bounds);
    },
    numbers(flag, bounds = {}) {
      const text = raw(flag);
      return text === undefined ? undefined : text.split(',').map((item) => toNumber(flag, item, bounds));
    },
    choice(flag, allowed) {
      const text = raw(flag);
      if (text === undefined) return undefined;
      if (!(allowed as readonly string[]).includes(text)) {
        fail(`--${flag} must be ${allowed.join(' or ')}, got "${text}"`);
      }
      return text as (typeof allowed)[number];
    },
  };
}
