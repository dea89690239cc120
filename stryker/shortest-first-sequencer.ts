// Test files in order of their last duration, shortest first. Stryker stops a mutant's run at its
// first failing test, so a mutant that a fast unit test kills is not first made to wait for the
// slow runtime tests (vitest's default runs the longest first).
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export class ShortestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const duration = (file: TestSpecification) =>
      cache.getFileTestResults(`${file.project.name}:${relative(this.ctx.config.root, file.moduleId)}`)
        ?.duration ?? Number.POSITIVE_INFINITY;
    return [...files].sort((a, b) => duration(a) - duration(b) || (a.moduleId < b.moduleId ? -1 : 1));
  }
}
