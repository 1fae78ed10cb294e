/** The five views in the order package.json declares them (pure: no VS Code API). */
import { addressSpaceView } from './addressSpace';
import { faultLogView } from './faultLog';
import type { ViewSpec } from './model';
import { pageWalkView } from './pageWalk';
import { physicalMemoryView } from './physicalMemory';
import { workingSetView } from './workingSet';

export const VIEW_SPECS: readonly ViewSpec[] = [addressSpaceView, workingSetView, physicalMemoryView, pageWalkView, faultLogView];
