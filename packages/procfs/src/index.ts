export { type SeqReadResult, seq_read, type TextProducer } from './seq_file.js';
