import { kProject } from '../../vitest.shared';

export default kProject(__dirname);
