import type { TestProject } from 'vitest/node';
import { startEmulator } from './emulator/server.ts';
export default async function setup(project: TestProject) {
  const emu = await startEmulator();
  project.provide('emulatorUrl', emu.url);
  return () => emu.close();
}
declare module 'vitest' {
  export interface ProvidedContext { emulatorUrl: string }
}
