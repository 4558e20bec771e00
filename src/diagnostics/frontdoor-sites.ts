/**
 * Where Microsoft runs front doors: the codes seen in Exchange server names (X-FEServer,
 * X-CalculatedFETarget), in the edge's X-MSEdge-Ref "Ref B" and in `<iata>-efz` CNAMEs,
 * mapped to a city with coordinates.
 *
 * Microsoft publishes no such table. These codes are INFERRED FROM PUBLIC OBSERVATION
 * (response headers and DNS names seen from known places, community write-ups): Exchange
 * site prefixes (AM = Amsterdam, DB = Dublin, LO = London...) and IATA airport or
 * metropolitan-area codes for the edge (LHR, AMS, LON, NYC...). A code not listed stays a
 * code (city "unknown"); coordinates are the city centre, good to a few tens of km, which
 * is plenty against Microsoft's 800 km threshold.
 */

export interface City {
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  lat: number;
  lon: number;
}

const c = (city: string, country: string, lat: number, lon: number): City => ({ city, country, lat, lon });

/** Cities by a lower-case key; codes below point here. */
const CITIES = {
  // Europe
  amsterdam: c('Amsterdam', 'NL', 52.37, 4.9),
  dublin: c('Dublin', 'IE', 53.35, -6.26),
  london: c('London', 'GB', 51.51, -0.13),
  cardiff: c('Cardiff', 'GB', 51.48, -3.18),
  manchester: c('Manchester', 'GB', 53.48, -2.24),
  frankfurt: c('Frankfurt', 'DE', 50.11, 8.68),
  berlin: c('Berlin', 'DE', 52.52, 13.4),
  munich: c('Munich', 'DE', 48.14, 11.58),
  hamburg: c('Hamburg', 'DE', 53.55, 9.99),
  dusseldorf: c('Dusseldorf', 'DE', 51.23, 6.77),
  paris: c('Paris', 'FR', 48.86, 2.35),
  marseille: c('Marseille', 'FR', 43.3, 5.37),
  brussels: c('Brussels', 'BE', 50.85, 4.35),
  madrid: c('Madrid', 'ES', 40.42, -3.7),
  barcelona: c('Barcelona', 'ES', 41.39, 2.17),
  lisbon: c('Lisbon', 'PT', 38.72, -9.14),
  milan: c('Milan', 'IT', 45.46, 9.19),
  rome: c('Rome', 'IT', 41.9, 12.5),
  zurich: c('Zurich', 'CH', 47.37, 8.54),
  geneva: c('Geneva', 'CH', 46.2, 6.14),
  vienna: c('Vienna', 'AT', 48.21, 16.37),
  warsaw: c('Warsaw', 'PL', 52.23, 21.01),
  prague: c('Prague', 'CZ', 50.08, 14.44),
  budapest: c('Budapest', 'HU', 47.5, 19.04),
  bucharest: c('Bucharest', 'RO', 44.43, 26.1),
  sofia: c('Sofia', 'BG', 42.7, 23.32),
  athens: c('Athens', 'GR', 37.98, 23.73),
  stockholm: c('Stockholm', 'SE', 59.33, 18.07),
  gavle: c('Gavle', 'SE', 60.67, 17.14),
  copenhagen: c('Copenhagen', 'DK', 55.68, 12.57),
  helsinki: c('Helsinki', 'FI', 60.17, 24.94),
  oslo: c('Oslo', 'NO', 59.91, 10.75),
  stavanger: c('Stavanger', 'NO', 58.97, 5.73),
  istanbul: c('Istanbul', 'TR', 41.01, 28.98),
  'tel aviv': c('Tel Aviv', 'IL', 32.09, 34.78),
  // North America
  'new york': c('New York', 'US', 40.71, -74.01),
  washington: c('Washington', 'US', 38.9, -77.04),
  ashburn: c('Ashburn', 'US', 39.04, -77.49),
  boydton: c('Boydton', 'US', 36.67, -78.39),
  boston: c('Boston', 'US', 42.36, -71.06),
  atlanta: c('Atlanta', 'US', 33.75, -84.39),
  miami: c('Miami', 'US', 25.76, -80.19),
  chicago: c('Chicago', 'US', 41.88, -87.63),
  'des moines': c('Des Moines', 'US', 41.59, -93.62),
  minneapolis: c('Minneapolis', 'US', 44.98, -93.27),
  dallas: c('Dallas', 'US', 32.78, -96.8),
  houston: c('Houston', 'US', 29.76, -95.37),
  'san antonio': c('San Antonio', 'US', 29.42, -98.49),
  denver: c('Denver', 'US', 39.74, -104.99),
  cheyenne: c('Cheyenne', 'US', 41.14, -104.82),
  phoenix: c('Phoenix', 'US', 33.45, -112.07),
  'los angeles': c('Los Angeles', 'US', 34.05, -118.24),
  'san francisco': c('San Francisco', 'US', 37.77, -122.42),
  'san jose': c('San Jose', 'US', 37.34, -121.89),
  seattle: c('Seattle', 'US', 47.61, -122.33),
  quincy: c('Quincy', 'US', 47.23, -119.85),
  toronto: c('Toronto', 'CA', 43.65, -79.38),
  montreal: c('Montreal', 'CA', 45.5, -73.57),
  'quebec city': c('Quebec City', 'CA', 46.81, -71.21),
  vancouver: c('Vancouver', 'CA', 49.28, -123.12),
  'mexico city': c('Mexico City', 'MX', 19.43, -99.13),
  queretaro: c('Queretaro', 'MX', 20.59, -100.39),
  // South America
  'sao paulo': c('Sao Paulo', 'BR', -23.55, -46.63),
  campinas: c('Campinas', 'BR', -22.91, -47.06),
  'rio de janeiro': c('Rio de Janeiro', 'BR', -22.91, -43.17),
  'buenos aires': c('Buenos Aires', 'AR', -34.6, -58.38),
  santiago: c('Santiago', 'CL', -33.45, -70.67),
  bogota: c('Bogota', 'CO', 4.71, -74.07),
  lima: c('Lima', 'PE', -12.05, -77.04),
  // Asia-Pacific
  singapore: c('Singapore', 'SG', 1.35, 103.82),
  'hong kong': c('Hong Kong', 'HK', 22.32, 114.17),
  'kuala lumpur': c('Kuala Lumpur', 'MY', 3.14, 101.69),
  jakarta: c('Jakarta', 'ID', -6.21, 106.85),
  bangkok: c('Bangkok', 'TH', 13.76, 100.5),
  manila: c('Manila', 'PH', 14.6, 120.98),
  taipei: c('Taipei', 'TW', 25.03, 121.57),
  tokyo: c('Tokyo', 'JP', 35.68, 139.69),
  osaka: c('Osaka', 'JP', 34.69, 135.5),
  seoul: c('Seoul', 'KR', 37.57, 126.98),
  busan: c('Busan', 'KR', 35.18, 129.08),
  sydney: c('Sydney', 'AU', -33.87, 151.21),
  melbourne: c('Melbourne', 'AU', -37.81, 144.96),
  brisbane: c('Brisbane', 'AU', -27.47, 153.03),
  perth: c('Perth', 'AU', -31.95, 115.86),
  canberra: c('Canberra', 'AU', -35.28, 149.13),
  auckland: c('Auckland', 'NZ', -36.85, 174.76),
  mumbai: c('Mumbai', 'IN', 19.08, 72.88),
  chennai: c('Chennai', 'IN', 13.08, 80.27),
  delhi: c('Delhi', 'IN', 28.61, 77.21),
  pune: c('Pune', 'IN', 18.52, 73.86),
  hyderabad: c('Hyderabad', 'IN', 17.39, 78.49),
  bangalore: c('Bangalore', 'IN', 12.97, 77.59),
  // Middle East and Africa
  dubai: c('Dubai', 'AE', 25.2, 55.27),
  'abu dhabi': c('Abu Dhabi', 'AE', 24.45, 54.38),
  doha: c('Doha', 'QA', 25.29, 51.53),
  johannesburg: c('Johannesburg', 'ZA', -26.2, 28.05),
  'cape town': c('Cape Town', 'ZA', -33.92, 18.42),
  nairobi: c('Nairobi', 'KE', -1.29, 36.82),
  lagos: c('Lagos', 'NG', 6.52, 3.38),
  cairo: c('Cairo', 'EG', 30.04, 31.24),
} satisfies Record<string, City>;

type CityKey = keyof typeof CITIES;

/**
 * Two-letter site prefixes of Exchange Online server names (AM0PR01CA0001 -> AM) and the
 * three-letter variants (MWHPR..., CWLP265...). Inferred, see the file comment.
 */
const EXCHANGE_SITES: Record<string, CityKey> = {
  AM: 'amsterdam', AS: 'amsterdam', DB: 'dublin', DU: 'dublin', HE: 'helsinki', VI: 'vienna', PR: 'prague',
  LO: 'london', LN: 'london', LNX: 'london', CW: 'cardiff', CWL: 'cardiff', CWX: 'cardiff',
  FR: 'frankfurt', FRY: 'frankfurt', BE: 'berlin', BEZ: 'berlin', PA: 'paris', PAX: 'paris', MR: 'marseille', MRZ: 'marseille',
  ZR: 'zurich', ZRA: 'zurich', GV: 'geneva', GVA: 'geneva', OL: 'oslo', SV: 'stavanger',
  BN: 'boydton', BL: 'ashburn', CH: 'chicago', CY: 'cheyenne', DM: 'des moines', SN: 'san antonio', SA: 'san antonio',
  BY: 'san francisco', BYA: 'san francisco', SJ: 'san jose', PH: 'phoenix', MW: 'quincy', MWH: 'quincy', MN: 'minneapolis',
  YT: 'toronto', YTB: 'toronto', TO: 'toronto', QB: 'quebec city', YQB: 'quebec city', CP: 'campinas', RI: 'rio de janeiro',
  SG: 'singapore', SI: 'singapore', HK: 'hong kong', KL: 'kuala lumpur', TY: 'tokyo', TYA: 'tokyo', TYC: 'tokyo', OS: 'osaka',
  SL: 'seoul', SE: 'seoul', PU: 'busan', SY: 'sydney', ME: 'melbourne', ML: 'melbourne', CB: 'canberra',
  MA: 'chennai', BM: 'mumbai', PN: 'pune', PS: 'pune', DL: 'delhi',
  JN: 'johannesburg', JNA: 'johannesburg', CT: 'cape town', DX: 'dubai', DXB: 'dubai', AU: 'abu dhabi',
};

/** IATA airport and metropolitan-area codes of edge cities (Ref B, `<iata>-efz` CNAMEs). */
const IATA: Record<string, CityKey> = {
  LHR: 'london', LGW: 'london', LCY: 'london', LON: 'london', MAN: 'manchester', CWL: 'cardiff',
  AMS: 'amsterdam', DUB: 'dublin', FRA: 'frankfurt', MUC: 'munich', BER: 'berlin', TXL: 'berlin', HAM: 'hamburg', DUS: 'dusseldorf',
  CDG: 'paris', ORY: 'paris', PAR: 'paris', MRS: 'marseille', BRU: 'brussels', MAD: 'madrid', BCN: 'barcelona', LIS: 'lisbon',
  MIL: 'milan', MXP: 'milan', LIN: 'milan', FCO: 'rome', ROM: 'rome', ZRH: 'zurich', GVA: 'geneva', VIE: 'vienna',
  WAW: 'warsaw', PRG: 'prague', BUD: 'budapest', OTP: 'bucharest', BUH: 'bucharest', SOF: 'sofia', ATH: 'athens',
  ARN: 'stockholm', STO: 'stockholm', GVX: 'gavle', CPH: 'copenhagen', HEL: 'helsinki', OSL: 'oslo', SVG: 'stavanger',
  IST: 'istanbul', TLV: 'tel aviv',
  NYC: 'new york', JFK: 'new york', EWR: 'new york', LGA: 'new york', WAS: 'washington', IAD: 'washington', DCA: 'washington',
  BOS: 'boston', ATL: 'atlanta', MIA: 'miami', ORD: 'chicago', CHI: 'chicago', MSP: 'minneapolis', DFW: 'dallas', DAL: 'dallas',
  IAH: 'houston', HOU: 'houston', SAT: 'san antonio', DEN: 'denver', PHX: 'phoenix', LAX: 'los angeles', SFO: 'san francisco',
  SJC: 'san jose', SEA: 'seattle', MWH: 'quincy', YYZ: 'toronto', YTO: 'toronto', YUL: 'montreal', YMQ: 'montreal',
  YQB: 'quebec city', YVR: 'vancouver', MEX: 'mexico city', QRO: 'queretaro',
  GRU: 'sao paulo', SAO: 'sao paulo', VCP: 'campinas', GIG: 'rio de janeiro', RIO: 'rio de janeiro', EZE: 'buenos aires',
  BUE: 'buenos aires', SCL: 'santiago', BOG: 'bogota', LIM: 'lima',
  SIN: 'singapore', HKG: 'hong kong', KUL: 'kuala lumpur', CGK: 'jakarta', JKT: 'jakarta', BKK: 'bangkok', MNL: 'manila',
  TPE: 'taipei', NRT: 'tokyo', HND: 'tokyo', TYO: 'tokyo', KIX: 'osaka', ITM: 'osaka', OSA: 'osaka', ICN: 'seoul', SEL: 'seoul',
  PUS: 'busan', SYD: 'sydney', MEL: 'melbourne', BNE: 'brisbane', PER: 'perth', CBR: 'canberra', AKL: 'auckland',
  BOM: 'mumbai', MAA: 'chennai', DEL: 'delhi', PNQ: 'pune', HYD: 'hyderabad', BLR: 'bangalore',
  DXB: 'dubai', AUH: 'abu dhabi', DOH: 'doha', JNB: 'johannesburg', CPT: 'cape town', NBO: 'nairobi', LOS: 'lagos', CAI: 'cairo',
};

/** An IATA code (3 letters) of an edge city. */
export function iataSite(code: string): City | undefined {
  const key = IATA[code.toUpperCase()];
  return key ? CITIES[key] : undefined;
}

/**
 * An Exchange site prefix (AM, MWH...). A three-letter code not listed falls back to its
 * first two letters (BYA -> BY), the way new Exchange sites extend an old prefix.
 */
export function exchangeSite(code: string): City | undefined {
  const upper = code.toUpperCase();
  const key = EXCHANGE_SITES[upper] ?? (upper.length === 3 ? EXCHANGE_SITES[upper.slice(0, 2)] : undefined);
  return key ? CITIES[key] : undefined;
}

/** An edge code from Ref B: an IATA code (LON, AMS), else a Microsoft site prefix (BL, BN). */
export function edgeSite(code: string): City | undefined {
  return iataSite(code) ?? exchangeSite(code);
}

/** "São  Paulo" -> "sao paulo": case, accents and extra spaces do not matter. */
function cityKey(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').trim().toLowerCase().replace(/\s+/g, ' ');
}

/** For `location: {city: London}`. */
export function cityByName(name: string): City | undefined {
  const key = cityKey(name);
  return Object.hasOwn(CITIES, key) ? CITIES[key as CityKey] : undefined;
}

/** Known city names, for the error message of an unknown one. */
export function cityNames(): string[] {
  return Object.values(CITIES).map((x) => x.city);
}
