// The public surface of the hardware I/O layer: interfaces, real adapters, fakes, framings and simulated sensors.
//
// Importing this module loads no native addon: onoff, i2c-bus and serialport are imported lazily by their adapters
// when a device is first opened.

export type {
  DigitalLine,
  EdgeEvent,
  EdgeFilter,
  EdgeKind,
  FrameDecoder,
  Framing,
  FramingStats,
  I2CDevice,
  IoClock,
  Level,
  LineDirection,
  LinkState,
  LinkStateDetail,
  Sample,
  SerialLink,
  Unsubscribe,
  WatchOptions,
} from './types.ts';
export { ManualClock, systemClock } from './clock.ts';

// GPIO
export { findHeaderChip, HEADER_CHIP_LABELS, resolveBcmPin, type ResolvedGpio, type ResolveOptions, type SysfsGpioChip } from './gpio/resolver.ts';
export { openOnoffLine, type OnoffLineOptions } from './gpio/onoff-line.ts';
export { openGpiodLine, type GpiodLineOptions } from './gpio/gpiod-line.ts';
export { openHeaderLine, type GpioBackend, type HeaderLineOptions } from './gpio/open-header-line.ts';
export { processToolRunner, type ToolRunner } from './gpio/tool-runner.ts';
export { createFakeDigitalLine, FakeDigitalLine, type FakeLineOptions } from './gpio/fake-line.ts';

// I2C
export { openI2cBusDevice, type I2cBusDeviceOptions } from './i2c/i2c-bus-device.ts';
export { createFakeI2CDevice, FakeI2CDevice, type FakeI2CDeviceOptions } from './i2c/fake-device.ts';
export { decodeRegister, startRegisterPoller, type RegisterFormat, type RegisterPoller, type RegisterPollerOptions } from './i2c/register-poller.ts';

// Serial
export { jsonLineFraming, lineFraming, type LineFramingOptions } from './serial/framing-lines.ts';
export { BINARY_FRAME_START, binaryFraming, type BinaryFramingOptions } from './serial/framing-binary.ts';
export { crc16CcittFalse } from './serial/crc16.ts';
export { createSerialportLink, type SerialBinding, type SerialportLinkOptions } from './serial/serialport-link.ts';
export { createFakeSerialCable, FakeSerialCable } from './serial/fake-link.ts';
export type { LinkOptions } from './serial/framed-link.ts';
export type { BackoffOptions } from './serial/backoff.ts';

// Simulation
export { channelKey, noiseSignal, sineSignal, squareSignal, stepSignal, sumSignals, type Signal } from './sim/signals.ts';
export { loadRecording, parseRecordingCsv, parseRecordingJsonLines, replaySignal, type ReplayOptions } from './sim/replay.ts';
export { sampleSeries, sampleSignals, startSimulatedSensor, type SimulatedSensor, type SimulatedSensorOptions } from './sim/simulated-sensor.ts';
