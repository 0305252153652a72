export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__supergraphTestInfra ?? [];
  globalThis.__supergraphTestInfra = undefined;
  for (const service of started.reverse()) await service.stop();
}
