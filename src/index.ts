/**
 * nlsq — nonlinear least-squares curve fitting for TypeScript.
 *
 * - {@link curveFit} / {@link curveFitSync} / {@link leastSquares} / {@link leastSquaresSync}: SciPy's `curve_fit` and
 *   `least_squares` (TRF with bounds, LM, dogbox, robust losses, sigma, SciPy's pcov).
 * - {@link fit}: NLSQ's memory-aware workflow — standard, chunked (exact) or streaming (out of core).
 * - {@link model} / {@link models}: expression models with exact symbolic derivatives, compiled
 *   for every backend.
 * - Backends: plain-TS CPU, SIMD WebAssembly, WebGPU — named per call (`backend`), by the
 *   `NLSQ_BACKEND` environment variable, or chosen automatically ({@link listBackends}).
 *
 * @packageDocumentation
 */

// Fitting
export { curveFit, curveFitSync, type XData } from './curve-fit.ts';
export { leastSquares, leastSquaresSync } from './least-squares.ts';
export { fit, type FitOptions, type FitResult } from './fit.ts';
export { fitGlobal, type GlobalDataset, type GlobalArrayDataset, type GlobalSourceDataset, type GlobalFitOptions, type GlobalFitResult, type GlobalDatasetFit } from './fit-global.ts';
export type { ParamSharing } from './model/global-model.ts';
export type { LibraryModelOptions } from './model/models/library-options.ts';
export { fitBatch } from './fit-batch.ts';
export type { BatchModel, EngineChoice, FitBatchData, FitBatchOptions, BatchProgress, BatchParamArray } from './batch/batch-options.ts';
export { BatchResult, type BatchPlan, type BatchSummary } from './batch/batch-result.ts';
export { fitSql, type FitSqlOptions, type SqlFitSpec, type SqlDatabase } from './fit-sql.ts';
export type { CurveFitOptions, LeastSquaresOptions, CommonFitOptions, BoundSide, ResidualFunction, ResidualJacobian } from './options/types.ts';
export { OPTION_TABLE, type OptionRow } from './options/option-table.ts';
export type { FitWarning } from './options/solver-settings.ts';
export type { GlobalOption, GlobalSearchOptions } from './options/global-option.ts';
export type { GlobalSummary, GlobalMinimum, GlobalBoxCoordinate, GlobalCmaesRun, GlobalEngine, GlobalTournament, GlobalTournamentRound } from './result/global-summary.ts';
export { CurveFitResult, type ConfidenceIntervals, type ProfileIntervalOptions, type ProfileIntervals } from './result/curve-fit-result.ts';
export type { ProfileEnd, ProfileOptions, ProfileProgress, ProfileResult, ProfileTrace } from './result/profile.ts';
export type { BcaIntervals, BootstrapKind, BootstrapOptions, BootstrapProgress, BootstrapResult, IntervalEnds } from './result/bootstrap.ts';
export type { DiagnosticCode, DiagnosticFinding, Diagnostics, DiagnosticsOptions, Eigendirection } from './result/diagnostics.ts';
export type { DerivedUncertainty } from './result/propagate-uncertainty.ts';
export type { LeastSquaresResult } from './result/least-squares-result.ts';
export type { Band, NewX } from './result/bands.ts';
export type { Choice, FitChoices } from './result/choice.ts';
export type { FitStatistics } from './result/statistics.ts';
export type { ModelFunction, PointJacobian } from './model/closure-kernel.ts';
export type { IterationInfo, IterationRecord, SolverStatus } from './optim/evaluation.ts';
export { STATUS_CODE } from './optim/evaluation.ts';
export type { LossName, LossFunction } from './optim/loss.ts';
export type { SolverMethod } from './optim/solver-options.ts';
export { studentTQuantile, twoSidedTCritical, normalQuantile } from './stats/student-t.ts';

// Models
export { model, Model, type ModelOptions, type ModelJSON } from './model/model.ts';
export { preloadClosureLifting } from './model/lift/js-parser.ts';
export type { Node as ExpressionNode, BinaryOperator } from './model/ast.ts';
export { models } from './model/models/index.ts';
export { params, ParameterSet, type ParamInput, type ParamSpecInput, type ParamSpec, type ParamKind } from './model/params.ts';
export type { NamedParam, NamedParams } from './result/named-params.ts';
export { IR_FUNCTIONS, type Program, type Instr, type Operand, type Op, type IrFunctionName } from './model/ir.ts';
export { lowerToProgram, type LowerableModel } from './model/lower.ts';
export type { ExpressionKernel, KernelMode } from './model/expression-kernel.ts';
export type { FittableModel, ModelKernel, KernelBlock, DataColumns } from './model/model-kernel.ts';
export { isFittableModel } from './model/model-kernel.ts';

// Backends
export type { Backend, BackendInfo, BackendFamily, Precision, Workspace } from './backends/backend.ts';
export { createCpuBackend } from './backends/cpu/cpu-backend.ts';
export { createWasmBackend, createWebGPUBackend } from './backends/backend-factories.ts';
export type { WasmBackendOptions } from './backends/wasm/wasm-backend.ts';
export type { WebGPUBackend, WebGPUBackendOptions } from './backends/webgpu/webgpu-backend.ts';
export { listBackends, loadBackend, BACKEND_NAMES, BACKEND_REQUEST_NAMES, type BackendStatus, type BackendName, type BackendRequestName, type BackendLoadOptions, type BackendLoad } from './backends/list-backends.ts';
export { BACKEND_ENV_VARIABLE, resolveBackend, resolveBackendSync, type BackendOption, type BackendNeeds, type ResolvedBackend, type ResolveContext, type BackendSource } from './backends/registry.ts';

// Workflow
export { MemoryEstimator, DEFAULT_AVAILABLE_GB, type MemoryReading, type MemorySource, type MemoryHost } from './workflow/memory-estimator.ts';
export { MemoryBudget, DEFAULT_SAFETY_FACTOR, type MemoryBudgetInput } from './workflow/memory-budget.ts';
export { BYTES_PER_GB } from './workflow/memory-estimator.ts';
export {
  MemoryBudgetSelector,
  computeChunkSize,
  computeBatchSize,
  MIN_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  STRATEGY_RANK,
  type Selection,
  type SelectorInput,
  type Strategy,
  type ModelKind,
  type ChunkedConfig,
  type StreamingConfig,
} from './workflow/memory-budget-selector.ts';
export { buildPlan, type Plan, type PlanInput, type Workflow } from './workflow/plan.ts';
export type { WorkerPlan } from './workflow/worker-count.ts';
export { goalTolerances, SIZE_TIERS, type Goal, type GoalTolerances, type SizeTier, type SizeTierInfo } from './workflow/goal.ts';
export { arraySource, type DataSource, type SourceChunk, type NumericColumn, type ArrayData, type ChunkIterable } from './sources/data-source.ts';
export { blobSource, type RecordFormat, type CsvFormat, type Float64Format } from './sources/blob-source.ts';
export { parquetSource, type ParquetOptions } from './sources/parquet-source.ts';
export { arrowSource, type ArrowOptions } from './sources/arrow-source.ts';
export { hdf5Source, type Hdf5Options } from './sources/hdf5-source.ts';
export type { ColumnSelection } from './sources/column-options.ts';
export type { CsvOptions } from './sources/csv-parser.ts';
export type { Float64Options } from './sources/float64-parser.ts';
export { validateCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, TOURNAMENT_CHECKPOINT_FORMAT, type StreamingCheckpoint, type TournamentCheckpoint, type WarmupSummary } from './streaming/checkpoint.ts';
export { WARMUP_DEFAULTS, type WarmupOptions, type ResolvedWarmupOptions, type WarmupState } from './streaming/warmup.ts';
export type { StreamingProgress } from './streaming/streaming-fit.ts';

// Errors
export {
  NlsqError,
  NlsqTypeError,
  NlsqRangeError,
  ModelParseError,
  ModelEvaluationError,
  BackendUnavailableError,
  ShaderCompileError,
  AbortError,
  DataSourceError,
  type NlsqErrorCode,
} from './errors.ts';

// Workers (the `workers` option: one fit folded on every core; docs/parallel.md)
export { terminateWorkers, setWorkerPoolIdleMs, WORKER_POOL_IDLE_MS } from './parallel/worker-pool.ts';
export { WorkerError } from './parallel/worker-error.ts';
export type { SamplerKind } from './sampling/sampler.ts';
export type { CmaesRestarts } from './optim/cmaes-restarts.ts';
export type { SqlDialect } from './sql/dialects/sql-dialect.ts';
export type { BatchOutput } from './batch/batch-engine.ts';
export type { StepOptions } from './model/models/steps.ts';
export { DEFAULT_GLOBAL_STARTS } from './options/global-option.ts';
export type { StepForm } from './model/models/steps.ts';
export type { SqlFunctionName, SqlFunctionSpelling } from './sql/dialects/sql-dialect.ts';
export type { ModelSize } from './backends/model-size-limit.ts';
export type { DeviceModelEvaluator, ModelEvaluatorRequest, DeviceData, DeviceLoss, DeviceEvaluation } from './backends/model-evaluator.ts';
export type { WebGPUModelEvaluator, WebGPUEvaluatorRequest } from './backends/webgpu/webgpu-evaluator.ts';
export { DEVICE_FIT_STATE, MAX_DEVICE_FREE_PARAMS, type DeviceFitState, type DeviceTolerances, type BatchSolverRequest, type BatchSolverFits, type DeviceBatchResult, type DeviceBatchSolver } from './backends/batch-solver.ts';
export type { WebGPUBatchSolverOptions } from './backends/webgpu/webgpu-batch-solver.ts';
export type { PipelineCache, ComputePipelineRequest } from './backends/webgpu/pipeline-cache.ts';
export type { DeviceLostError } from './backends/webgpu/device-lost-error.ts';
export { BLOCK_MEMBERS, type BlockMember } from './backends/backend.ts';
