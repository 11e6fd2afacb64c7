/** Word lists for generated contacts and the Northwind demo agency. */

export const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Elijah',
  'Sophia',
  'James',
  'Isabella',
  'Lucas',
  'Mia',
  'Mateo',
  'Amelia',
  'Benjamin',
  'Harper',
  'Henry',
  'Evelyn',
  'Theodore',
  'Aisha',
  'Diego',
  'Mei',
  'Kwame',
  'Sofia',
  'Hiroshi',
  'Nadia',
  'Omar',
  'Grace',
  'Ethan',
  'Chloe',
  'Daniel',
  'Zoe',
  'Samuel',
  'Leah',
  'Gabriel',
  'Ruby',
];

export const LAST_NAMES = [
  'Johnson',
  'Nguyen',
  'Garcia',
  'Williams',
  'Okafor',
  'Brown',
  'Kowalski',
  'Martinez',
  'Chen',
  'Davis',
  'Rodriguez',
  'Patel',
  'Wilson',
  'Anderson',
  'Thomas',
  'Tanaka',
  'Moore',
  'Jackson',
  'Haddad',
  'Lopez',
  'Schmidt',
  'Clark',
  'Lewis',
  'Walker',
  'Rossi',
  'Young',
  'Kim',
  'Hall',
  'Fischer',
  'Adeyemi',
  'Murphy',
];

export const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example.com'];

export const COMPANIES = [
  'Cascade Outfitters',
  'Bluebird Bakery',
  'Ridgeline Realty',
  'Summit Legal',
  'Harbor Tech',
  undefined,
  undefined,
  undefined,
];

export interface DemoLocationSpec {
  name: string;
  address: string;
  city: string;
  state: string;
  postalCode: string;
  areaCode: string;
  timezone: string;
  website: string;
  streets: string[];
  tags: string[];
  sources: string[];
  notes: string[];
  tasks: { title: string; body: string }[];
  appointments: string[];
  calendar: string;
  admin: [string, string];
  user: [string, string];
}

export const DEMO_AGENCY = {
  name: 'Northwind Agency',
  admin: ['Avery', 'Morgan'] as [string, string],
  domain: 'northwind-agency.example.com',
};

/**
 * The demo agency's sub-accounts. The demo installs the app on all but the last
 * (`DEMO_NOT_INSTALLED`), so the agency console shows one sub-account without it.
 */
export const DEMO_LOCATIONS: DemoLocationSpec[] = [
  {
    name: 'Northwind Dental',
    address: '1450 NW Lovejoy St',
    city: 'Portland',
    state: 'OR',
    postalCode: '97209',
    areaCode: '503',
    timezone: 'America/Los_Angeles',
    website: 'https://northwind-dental.example.com',
    streets: ['SE Hawthorne Blvd', 'NE Alberta St', 'NW 23rd Ave', 'SE Division St', 'N Mississippi Ave'],
    tags: [
      'new patient',
      'recall due',
      'invisalign lead',
      'insurance: delta dental',
      'insurance: cigna',
      'vip',
      'referral',
    ],
    sources: ['website form', 'google business profile', 'referral', 'phone call'],
    notes: [
      'Called to confirm insurance details: Delta Dental PPO, group #4471.',
      'Prefers morning appointments before 10am.',
      'Mentioned sensitivity on the lower left molar; flag for Dr. Patel at the next visit.',
      'Sent the new-patient forms by email.',
      'Asked about Invisalign pricing; sent the brochure and financing options.',
      'Nervous about needles; offer nitrous at the next treatment.',
      'Referred by a current patient; send a thank-you card to the referrer.',
    ],
    tasks: [
      { title: 'Call to schedule 6-month cleaning', body: 'Recall is due; offer the Tuesday morning slots.' },
      {
        title: 'Send treatment plan estimate',
        body: 'Crown on #19 plus build-up; include the insurance estimate.',
      },
      {
        title: 'Verify insurance eligibility',
        body: 'Check the remaining annual maximum before the next visit.',
      },
      { title: 'Follow up on unpaid balance', body: 'Balance of $85 from the last visit.' },
      {
        title: 'Send post-op care instructions',
        body: 'Extraction aftercare sheet and the ibuprofen schedule.',
      },
    ],
    appointments: [
      'New patient exam',
      'Cleaning & checkup',
      'Crown fitting',
      'Whitening consult',
      'Invisalign consult',
    ],
    calendar: 'Hygiene Chair 1',
    admin: ['Priya', 'Patel'],
    user: ['Marco', 'Silva'],
  },
  {
    name: 'Northwind Fitness',
    address: '2201 E Cesar Chavez St',
    city: 'Austin',
    state: 'TX',
    postalCode: '78702',
    areaCode: '512',
    timezone: 'America/Chicago',
    website: 'https://northwind-fitness.example.com',
    streets: ['S Congress Ave', 'E 6th St', 'Barton Springs Rd', 'Manor Rd', 'S Lamar Blvd'],
    tags: ['trial member', 'monthly plan', 'annual plan', 'personal training', 'lapsed', 'yoga', 'referral'],
    sources: ['instagram ad', 'walk-in', 'website form', 'referral'],
    notes: [
      'Interested in the weight-loss program; goal is 15 lb by summer.',
      'Knee injury in 2022; avoid high-impact classes.',
      'Prefers evening classes after 6pm.',
      'Asked to freeze the membership during travel in March.',
      'Loved the Saturday HIIT class; suggested the 10-class pack.',
      'Training for a half marathon in the fall.',
      'Wants a nutrition consult before starting personal training.',
    ],
    tasks: [
      {
        title: 'Call about trial membership conversion',
        body: 'Trial ends this week; offer the first month at 50% off.',
      },
      { title: 'Book fitness assessment', body: 'Body composition and a movement screen.' },
      {
        title: 'Renewal reminder for annual plan',
        body: 'Plan renews next month; mention the loyalty discount.',
      },
      { title: 'Send class schedule', body: 'Email the spring schedule PDF.' },
      {
        title: 'Check in after first week',
        body: 'Ask how the first classes went and answer any questions.',
      },
    ],
    appointments: [
      'Fitness assessment',
      'Personal training session',
      'Nutrition consult',
      'Trial class: HIIT',
      'Membership review',
    ],
    calendar: 'Coaching',
    admin: ['Jordan', 'Lee'],
    user: ['Sam', 'Rivera'],
  },
  {
    name: 'Northwind Spa',
    address: '88 Pike St',
    city: 'Seattle',
    state: 'WA',
    postalCode: '98101',
    areaCode: '206',
    timezone: 'America/Los_Angeles',
    website: 'https://northwind-spa.example.com',
    streets: ['Pine St', 'Broadway E', 'Rainier Ave S', 'NW Market St', 'Fremont Ave N'],
    tags: ['membership', 'gift card', 'facial', 'massage', 'couples', 'referral'],
    sources: ['website form', 'walk-in', 'gift card', 'referral'],
    notes: [
      'Prefers a female therapist.',
      'Allergic to lavender oil.',
      'Bought a gift card for a friend; follow up after it is used.',
      'Asked about the couples package for an anniversary in June.',
      'Likes firm pressure; focus on shoulders.',
    ],
    tasks: [
      { title: 'Confirm membership renewal', body: 'Renews next week; offer the annual plan.' },
      { title: 'Send aftercare tips', body: 'Facial aftercare sheet by email.' },
      { title: 'Call about gift card balance', body: 'Balance of $40 left on the card.' },
    ],
    appointments: ['Deep tissue massage', 'Signature facial', 'Couples massage', 'Consultation'],
    calendar: 'Treatment Room 1',
    admin: ['Rosa', 'Nguyen'],
    user: ['Eli', 'Brooks'],
  },
];

/** Demo sub-accounts the demo install leaves out (scripts/stack.ts `installAgency`). */
export const DEMO_NOT_INSTALLED = ['Northwind Spa'];
