import { AppError, ConflictError } from '../../platform/errors.js';

export class RegionNameTakenError extends ConflictError {
  constructor() {
    super('REGION_NAME_TAKEN', 'A region with this name already exists.', {
      errors: [{ path: '/body/name', message: 'is already used by another region' }],
    });
  }
}

/** A country belongs to at most one region (the `region_country` primary key says so). */
export class CountryInOtherRegionError extends ConflictError {
  constructor() {
    super(
      'COUNTRY_IN_OTHER_REGION',
      'A country in the list already belongs to another region; remove it there first.',
      {
        errors: [{ path: '/body/countries', message: 'holds a country of another region' }],
      },
    );
  }
}

/** Shipping prices are minor units of the region's currency; changing it under them would reprice them silently. */
export class RegionCurrencyInUseError extends ConflictError {
  constructor() {
    super('REGION_CURRENCY_IN_USE', 'The region has shipping options priced in its currency; delete them first.', {
      errors: [{ path: '/body/currency', message: 'cannot change while shipping options are priced in it' }],
    });
  }
}

export class TaxRateExistsError extends ConflictError {
  constructor() {
    super('TAX_RATE_EXISTS', 'This country (or country and province) already has a tax rate; update that one.', {
      errors: [{ path: '/body/countryCode', message: 'already has a tax rate' }],
    });
  }
}

/** A referenced record (category, stock location) does not exist: 404 naming the field. */
export class UnknownReferenceError extends AppError {
  constructor(what: string, path: string) {
    super(404, 'NOT_FOUND', 'Not found', {
      detail: `The ${what} does not exist.`,
      errors: [{ path, message: `names an unknown ${what}` }],
    });
  }
}
