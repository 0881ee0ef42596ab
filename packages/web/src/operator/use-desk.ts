import { useEffect, useState } from 'preact/hooks';
import type { DeskState, OperatorDesk } from './desk.js';

/** The desk's state, re-rendered on every change. */
export function useDeskState(desk: OperatorDesk): DeskState {
  const [state, setState] = useState(desk.state);
  useEffect(() => {
    setState(desk.state);
    return desk.subscribe(setState);
  }, [desk]);
  return state;
}
