/**
 * Race analysis: pure functions of the engine's RaceTimeline at any instant
 * (`at`, race ms; only data at or before it counts). No I/O, no clock.
 */
export { parseEntryList, parseEntryListCsv, parseEntryListJson, EntryListSchema, EntryListError, DriverCategorySchema } from './entry-list.js';
export type { EntryList, EntryListCar, EntryListDriver, DriverCategory } from './entry-list.js';
export { makeRoster, rosterOf, tameCapitals, surnameOf, nameKey } from './roster.js';
export type { CarRef, DriverRef, Roster } from './roster.js';
export { raceIndex, lapDriveMs, pitPartsOfLap, isGreenLap, isOutLap } from './race-index.js';
export type { RaceIndex, LapLeaders } from './race-index.js';
export { pitStops, carPitStops, unmarkedPitTimes, isLongStop, LONG_STOP_EXTRA_MS, MIN_OWN_STOPS } from './pits.js';
export type { PitStop, UnmarkedPitTime } from './pits.js';
export type { AnalysisOptions } from './options.js';
export { stints, stintsOfCar } from './stints.js';
export type { CarStint, DriverStint, CarStints, StintPace } from './stints.js';
export { driveTimes, carDriveTime, maxDriveInWindow, instantReaching } from './drive-time.js';
export type { CarDriveTime, DriverDriveTime, DriveInterval } from './drive-time.js';
export {
  parseRegulationProfile,
  RegulationProfileSchema,
  RuleSetSchema,
  RegulationError,
  rulesForClass,
  minimumFor,
  checkDriveTimes,
  checkCar,
  minimumReachedAt,
} from './rules.js';
export type { RegulationProfile, RegulationProfileInput, RuleSet, DriveStatus, DriverRuleCheck, RuleCheckOptions } from './rules.js';
export { flagPeriods } from './flags.js';
export type { FlagPeriod, RaceControl } from './flags.js';
export { raceHistory, lapChart, hourlyPositions, leaderChanges, lapsLed, retirements, retirementOf, outOfRunning, finish, gapAtCrossing } from './history.js';
export type { RaceHistory, CarHistory, LapChartPoint, HourPositions, LeaderChange, LapsLed, Retirement, Finish } from './history.js';
export { hourFacts, hourFactsFromTimeline, hourContext, factsOfKind, carPosition, HOUR_FACT_FINDERS } from './hour-facts.js';
export type * from './hour-facts.js';
export { lapRows } from './laps.js';
export type { LapRow, LapFilter } from './laps.js';
