import { libraryBuildConfig } from '../../tsup.shared';

export default libraryBuildConfig({ index: 'src/index.ts' });
