/// <reference types="node" />
/**
 * The `nlsq` command line: its commands and flags, and how failures become exit codes.
 *
 * Arguments are parsed with **commander**: subcommands with their own flags and help, repeatable
 * flags (`--param`), required options and unknown-flag errors that name the flag, in a widely used
 * package with no dependencies of its own. Node's `util.parseArgs` has no subcommands or help, and
 * rebuilding them here would be more code to keep than the dependency.
 *
 * Exit codes: 0 fitted (or the command succeeded), 1 a fit did not converge (the report says
 * why), 2 bad usage or input (one line on stderr naming the flag, or the file and line), 130
 * interrupted by Ctrl-C.
 *
 * @module
 */
import { Command, CommanderError, Option } from 'commander';
import { AbortError, NlsqError } from '../errors.ts';
import { runBatch, type BatchFlags } from './batch-command.ts';
import { registerColumnarReaders } from './columnar-readers.ts';
import { runFit, type CliIO, type FitFlags } from './fit-command.ts';
import { runInfo, runModels, runPlan, type PlanFlags } from './info-commands.ts';

/** Exit code for bad usage or input. */
export const EXIT_USAGE = 2;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function fitFlags(cmd: Command): Command {
  return cmd
    .requiredOption('-m, --model <name|expr>', "a library model (see 'nlsq models'; polynomial:DEGREE) or an expression, e.g. 'a*exp(-b*x)+c'")
    .option('--x <col[,col]>', 'column(s) of the independent variable: header name or 1-based index')
    .option('--y <col>', 'column of the observations')
    .option('--sigma <col>', 'column of the standard deviations of y')
    .option('--absolute-sigma', 'sigma is absolute (pcov not rescaled by the reduced chi-square)')
    .option('--p0 <values|auto>', "starting values in model order ('1,1,0'), or 'auto' for a library model's estimate")
    .option('--param <spec>', "per parameter, repeatable: 'c=0:fixed', 'b=1:0..10', 'w=2*s'", collect, [])
    .option('--method <trf|lm|dogbox>', 'solver (default: lm without bounds, trf with)')
    .option('--loss <name>', 'robust loss: linear, soft_l1, huber, cauchy, arctan')
    .option('--f-scale <value>', 'soft margin between inlier and outlier residuals (default 1)')
    .option('--max-nfev <n>', 'function-evaluation limit')
    .option('--workflow <auto|standard|chunked|streaming>', 'memory strategy (default auto)')
    .option('--backend <cpu|wasm|webgpu>', 'backend (default: chosen automatically)')
    .option('--memory <GB>', 'memory the fit may plan for, in GB (default: measured)')
    .option('-q, --quiet', 'no progress bar');
}

/**
 * Build the `nlsq` program.
 *
 * @param io - where the commands write.
 * @param setExit - receives each command's exit code.
 * @returns the commander program.
 */
export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  registerColumnarReaders();
  const program = new Command('nlsq')
    .description('Nonlinear least-squares curve fitting of data files (SciPy curve_fit semantics; TRF/LM/dogbox; standard, chunked and streaming workflows).')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => {} })
    .showSuggestionAfterError(true);

  fitFlags(program.command('fit').description('fit a model to a data file (CSV, TSV, whitespace text, raw .f64, Parquet, Arrow IPC, HDF5) and print the report').argument('<file>', 'the data file'))
    .option('--h5-group <path>', 'HDF5: the group of the --x/--y/--sigma datasets given as relative paths (default /; absolute paths like /grp/t work without it)')
    .option('--checkpoint <file>', 'streaming: save the state here after every pass and on Ctrl-C')
    .option('--resume <file>', 'streaming: continue from a checkpoint')
    .option('--global <sampler[:starts[:seed]]|cmaes[:seed]>', "global search: multi-start (e.g. 'sobol:32'; a tournament when streaming) or 'cmaes'")
    .option('-o, --out <file>', 'also write the result (.json, .csv, .md, otherwise text)')
    .option('--plot <file.svg|file.png>', 'write the fit figure')
    .addOption(new Option('-f, --format <format>', 'report format on stdout').choices(['text', 'json', 'csv', 'markdown']).default('text'))
    .action(async (file: string, flags: FitFlags) => setExit(await runFit(file, flags, io)));

  fitFlags(program.command('batch').description('one fit per column (--columns) or per group of rows (--group); a CSV row per fit').argument('<file>', 'the data file (CSV, TSV or whitespace text)'))
    .option('--columns <glob>', "the y columns to fit, e.g. 'y*'")
    .option('--group <col>', 'fit --y once per value of this column')
    .option('-o, --out <file>', 'write the table here instead of stdout')
    .action(async (file: string, flags: BatchFlags) => setExit(await runBatch(file, flags, io)));

  program
    .command('models')
    .description('list the library models: formula, parameters, estimator, bounds')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => setExit(runModels(flags.json === true, io)));

  const planOptions = (cmd: Command): Command =>
    cmd
      .option('--points <n>', 'number of data points (1e9 is fine)')
      .option('--params <p>', 'number of parameters (default 3)')
      .option('--memory <GB>', 'memory to plan for, in GB (default: measured)')
      .option('--workflow <auto|standard|chunked|streaming>', 'force a strategy')
      .option('--json', 'print JSON');
  planOptions(program.command('info').description('the backends that load here (and why the others do not), the memory, and with --points the plan'))
    .action(async (flags: PlanFlags) => setExit(await runInfo(flags, io)));
  planOptions(program.command('plan').description("the selector's plan for a fit of --points points and --params parameters"))
    .action(async (flags: PlanFlags) => setExit(await runPlan(flags, io)));
  return program;
}

/**
 * Run the command line.
 *
 * @param args - the arguments after `nlsq`.
 * @param io - where to write.
 * @returns the exit code.
 */
export async function runCli(args: readonly string[], io: CliIO): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  const command = args.find((a) => !a.startsWith('-')) ?? '';
  try {
    if (args.length === 0) {
      io.out(program.helpInformation());
      return EXIT_USAGE;
    }
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0;
      io.err(`nlsq${command === '' ? '' : ` ${command}`}: ${e.message.replace(/^error: /, '')}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof NlsqError && !(e instanceof AbortError)) {
      io.err(`${e.message.split('\n')[0]}\n`);
      return EXIT_USAGE;
    }
    io.err(`nlsq: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_USAGE;
  }
}
