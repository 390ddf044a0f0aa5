// An optional beep for new alerts (WebAudio; off by default, remembered per browser).

const KEY = "geo-ioc.sound";
let context = null;

export function soundOn() {
  try {
    return localStorage.getItem(KEY) === "on";
  } catch {
    return false;
  }
}

export function setSound(on) {
  try {
    localStorage.setItem(KEY, on ? "on" : "off");
  } catch {
    // not remembered; fine
  }
  if (on) beep(0.04); // a user gesture: unlocks audio for later alerts
}

/** Two short tones, high then lower: an alert, not an alarm. */
export function beep(volume = 0.18) {
  try {
    context = context || new AudioContext();
    const start = context.currentTime + 0.01;
    [[880, 0], [660, 0.18]].forEach(([freq, offset]) => {
      const osc = context.createOscillator();
      const gain = context.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0, start + offset);
      gain.gain.linearRampToValueAtTime(volume, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16);
      osc.connect(gain).connect(context.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.17);
    });
  } catch {
    // no audio device: silence is acceptable
  }
}
