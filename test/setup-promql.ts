import { loadPromqlGrammar } from '../src/slo/sli.js';

// Unit tests derive SLIs without going through the pipeline, which loads the grammar in the program.
await loadPromqlGrammar();
