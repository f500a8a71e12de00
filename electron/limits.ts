// The desktop shell's bounds and timings, each once (STYLE.md: put a limit on everything).

/**
 * How long a utility process's end may take to be fully reported after its first sign (the
 * process's 'exit', its port's 'close', app's 'child-process-gone'; they come in no fixed
 * order). Past it the exit is settled with what is known.
 */
export const exitSettleMs = 500;

/**
 * How long an abnormal exit (non-zero code, not our kill) waits for 'child-process-gone', which
 * alone says whether it was an out-of-memory, a crash or a kill from outside.
 */
export const exitReasonWaitMs = 100;

/**
 * How long quitting waits for the cluster to stop (each node closes its listeners and LevelDB;
 * the supervisor kills a node that takes longer than its own stop wait). Past it the app quits
 * anyway: Electron ends the utility processes with it.
 */
export const quitCloseWaitMs = 20_000;

/** Longest join plan id the IPC bridge accepts (the console makes `join-<node>-<n>`). */
export const planIdLengthMax = 128;

/** Most node ids one isolateNode call may name. */
export const isolateFromMax = 64;

/** The window's size: the console is designed for 1280×800 and usable down to 1024×700. */
export const windowWidth = 1280;
export const windowHeight = 800;
export const windowWidthMin = 1024;
export const windowHeightMin = 700;
