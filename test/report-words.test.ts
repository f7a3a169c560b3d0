import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  advantageWords,
  carWords,
  classWords,
  driverName,
  makeWords,
  minutesWords,
  placeWords,
  progressWords,
  rivalWords,
  sameTeam,
  teamWords,
  gapWords,
  hourPhrase,
  listWords,
  NameTracker,
  ordinal,
  pick,
  remainingPhrase,
} from '../src/report/words.js';

describe('report wording rules', () => {
  it('gaps: tenths under a minute, minutes and seconds above, laps spelled out to nine', () => {
    assert.equal(gapWords({ ms: 8_400 }), '8.4s');
    assert.equal(gapWords({ ms: 8_449 }), '8.4s');
    assert.equal(gapWords({ ms: 8_450 }), '8.5s');
    // Rounded, not cut: the audit's 17.988 read "17.9s" beside a table showing 17.988.
    assert.equal(gapWords({ ms: 17_988 }), '18.0s');
    assert.equal(gapWords({ ms: 59_940 }), '59.9s');
    assert.equal(gapWords({ ms: 59_950 }), '1m00s');
    assert.equal(gapWords({ ms: 137_499 }), '2m17s');
    assert.equal(gapWords({ ms: 137_500 }), '2m18s');
    assert.equal(gapWords({ ms: 137_000 }), '2m17s');
    assert.equal(gapWords({ ms: 63_900 }), '1m04s');
    assert.equal(gapWords({ laps: 1 }), 'one lap');
    assert.equal(gapWords({ laps: 3 }), 'three laps');
    assert.equal(gapWords({ laps: 12 }), '12 laps');
    assert.equal(gapWords(null), '');
  });

  it('advantage phrases', () => {
    assert.equal(advantageWords({ ms: 41_200 }), 'a 41.2s advantage');
    assert.equal(advantageWords({ ms: 8_400 }), 'an 8.4s advantage');
    assert.equal(advantageWords({ laps: 3 }), 'a three-lap advantage');
  });

  it('ordinal hours', () => {
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 24].map(ordinal), [
      '1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '24th',
    ]);
    assert.equal(hourPhrase(22), 'the 22nd hour');
    assert.equal(remainingPhrase(2), 'with two hours remaining');
    assert.equal(remainingPhrase(1), 'with one hour remaining');
  });

  it('reads WEC "First LAST" and IMSA "First Last" names', () => {
    assert.deepEqual(driverName('Sébastien BUEMI'), { raw: 'Sébastien BUEMI', full: 'Sébastien Buemi', surname: 'Buemi' });
    assert.equal(driverName('Giedo VAN DER GARDE').surname, 'van der Garde');
    assert.equal(driverName('Giedo VAN DER GARDE').full, 'Giedo van der Garde');
    assert.equal(driverName('Jean-Eric VERGNE').full, 'Jean-Eric Vergne');
    assert.equal(driverName('Ho-Pin TUNG').surname, 'Tung');
    assert.equal(driverName('Paul Loup CHATIN').full, 'Paul Loup Chatin');
    assert.equal(driverName('Jordan Taylor').surname, 'Taylor');
    assert.equal(driverName('Renger van der Zande').surname, 'van der Zande');
    assert.equal(driverName('Harry TINCKNELL').full, 'Harry Tincknell');
    // Initials as a first name are not shouting.
    assert.deepEqual(driverName('AJ Allmendinger'), { raw: 'AJ Allmendinger', full: 'AJ Allmendinger', surname: 'Allmendinger' });
    assert.equal(driverName('PJ HYETT').full, 'PJ Hyett');
    assert.equal(driverName('Ryan DALZIEL').surname, 'Dalziel');
    assert.equal(driverName('Nyck DE VRIES').full, 'Nyck de Vries');
    assert.equal(driverName('Richard J. SMITH').surname, 'Smith');
  });

  it('full name on first mention, surname after', () => {
    const names = new NameTracker();
    assert.equal(names.name('Fernando ALONSO'), 'Fernando Alonso');
    assert.equal(names.name('Fernando ALONSO'), 'Alonso');
    assert.equal(names.names(['Sébastien BUEMI', 'Kazuki NAKAJIMA', 'Fernando ALONSO']), 'Sébastien Buemi, Kazuki Nakajima and Alonso');
    assert.equal(listWords(['A', 'B']), 'A and B');
  });

  it('varies reproducibly', () => {
    const options = ['holds', 'retains', 'continues to lead'];
    assert.equal(pick(options, 'lemans-2019/12'), pick(options, 'lemans-2019/12'));
    const picks = new Set(Array.from({ length: 24 }, (_, h) => pick(options, `lemans-2019/${h}`)));
    assert.equal(picks.size, 3, 'every wording gets used over a race');
  });
});

describe('report wording rules: cars, minutes and progress', () => {
  const toyota7 = { car: '7', team: 'Toyota Gazoo Racing', manufacturer: 'Toyota' };
  const toyota8 = { car: '8', team: 'Toyota Gazoo Racing', manufacturer: 'Toyota' };
  const dragon = { car: '31', team: 'DragonSpeed', manufacturer: 'ORECA' };
  const rebellion = { car: '3', team: 'Rebellion Racing', manufacturer: 'Rebellion' };

  it('names a car by number then make, or team and make', () => {
    assert.equal(carWords(toyota7), '#7 Toyota');
    assert.equal(carWords(dragon), '#31 DragonSpeed Oreca');
    assert.equal(carWords({ car: '26', team: 'G-Drive Racing', manufacturer: 'Aurus' }), '#26 G-Drive Aurus');
    assert.equal(carWords({ car: '41', team: 'Team WRT', manufacturer: 'Oreca' }), '#41 WRT Oreca');
    assert.equal(carWords({ car: '007', team: 'Aston Martin Thor Team', manufacturer: 'Aston Martin' }), '#007 Aston Martin');
    assert.equal(carWords({ car: '81', team: 'BMW Team MTEK', manufacturer: 'BMW' }), '#81 BMW');
  });

  it('"the sister #8 car" only for the same team', () => {
    assert.equal(rivalWords(toyota8, toyota7), 'the sister #8 car');
    assert.equal(rivalWords(rebellion, toyota7), 'the #3 Rebellion');
    assert.equal(rivalWords({ car: '8', team: 'Other Toyota Team', manufacturer: 'Toyota' }, toyota7), 'the #8 Toyota');
    assert.equal(sameTeam({ car: '1', team: '', manufacturer: 'X' }, { car: '2', team: '', manufacturer: 'X' }), false);
  });

  it('says when in the hour, in words that turn with the minute', () => {
    assert.equal(minutesWords(0), 'inside the first 10 minutes');
    assert.equal(minutesWords(7), "in the hour's first 10 minutes");
    assert.equal(minutesWords(12), 'inside the first 15 minutes');
    assert.equal(minutesWords(30), 'around the half-hour');
    assert.equal(minutesWords(31), 'at mid-hour');
    assert.equal(minutesWords(55), "in the hour's last 10 minutes");
    // Outside the named spans, and one minute in three, exactly: the race clock when the hour's start is known.
    assert.equal(minutesWords(23), '23 minutes in');
    assert.equal(minutesWords(23, 5 * 3_600_000), 'at 5:23 race time');
    assert.equal(minutesWords(8, 5 * 3_600_000), 'at 5:08 race time');
    assert.equal(minutesWords(29, 0), 'at 0:29 race time');
  });

  it('says how far into the race', () => {
    assert.equal(progressWords(1, 23, 24), 'after the opening hour');
    assert.equal(progressWords(6, 18, 24), 'after six hours');
    assert.equal(progressWords(12, 12, 24), 'at half-distance');
    assert.equal(progressWords(3, 3, 6), 'at half-distance');
    assert.equal(progressWords(22, 2, 24), 'with two hours to go');
    assert.equal(progressWords(23, 1, 24), 'with one hour to go');
    assert.equal(progressWords(20, 4, 24), 'after 20 hours');
  });

  it('places and makes', () => {
    assert.equal(placeWords(3), 'third');
    assert.equal(placeWords(12), '12th');
    assert.equal(makeWords('ORECA'), 'Oreca');
    assert.equal(makeWords('BMW'), 'BMW');
    assert.equal(teamWords('Jackie Chan DC Racing'), 'Jackie Chan DC');
    assert.equal(teamWords('United Autosports'), 'United Autosports');
  });
});

describe('names in running text', () => {
  it('writes class names as words, keeping acronyms', () => {
    assert.equal(classWords('HYPERCAR'), 'Hypercar');
    assert.equal(classWords('INNOVATIVE'), 'Innovative');
    assert.equal(classWords('GTD PRO'), 'GTD Pro');
    assert.equal(classWords('LMGTE Am'), 'LMGTE Am');
    for (const kept of ['LMP2', 'LMGT3', 'LMP1', 'GTP', 'GTD', 'LMGTE Pro']) assert.equal(classWords(kept), kept);
  });
  it('never cuts a team name after a linking word', () => {
    assert.equal(teamWords('Heart of Racing Team'), 'Heart of Racing');
    assert.equal(teamWords('Team WRT'), 'WRT');
    assert.equal(teamWords('G-Drive Racing'), 'G-Drive');
    assert.equal(teamWords('Racing Team'), 'Racing Team');
  });
});
