import { libraryBuildConfig } from '../../tsup.shared';

export default libraryBuildConfig(['src/index.ts', 'src/node.ts']);
