// Argument and state checks shared by every DigitalLine implementation, so all of them fail the same way.
import { HasnError } from '../../../core/errors.ts';
import type { Level, LineDirection } from '../types.ts';

export function checkLevel(value: unknown, lineName: string): asserts value is Level {
  if (value !== 0 && value !== 1) {
    throw new HasnError('E_GPIO_VALUE', `a GPIO level must be 0 or 1, got ${JSON.stringify(value) ?? String(value)} for ${lineName}`, { path: lineName });
  }
}

export function closedError(lineName: string): HasnError {
  return new HasnError('E_GPIO_CLOSED', `GPIO line ${lineName} is closed`, { path: lineName });
}

/** `operation` needs `required`, but the line was opened the other way. */
export function directionError(lineName: string, operation: string, required: LineDirection): HasnError {
  return new HasnError('E_GPIO_DIRECTION', `${operation} needs an ${required === 'in' ? 'input' : 'output'} line; ${lineName} was opened as ${required === 'in' ? 'an output' : 'an input'}`, {
    path: lineName,
  });
}

export function checkDirection(direction: unknown): asserts direction is LineDirection {
  if (direction !== 'in' && direction !== 'out') {
    throw new HasnError('E_GPIO_DIRECTION', `a line direction must be "in" or "out", got ${JSON.stringify(direction) ?? String(direction)}`, { path: 'direction' });
  }
}
