"""English sentence banks for the fixture web.

Every sentence is original text written for this fixture. Slots in braces (``{person}``,
``{city}`` ...) are filled per article from :mod:`demoweb.text`, so two articles drawing the same
template still carry different names, places and numbers.
"""

from __future__ import annotations

# Subtopics of the on-topic family (OpenAI's GPT-4o). Each has titles, leads and body sentences.
GPT4O: dict[str, dict[str, list[str]]] = {
    "voice": {
        "titles": [
            "GPT-4o voice mode now answers in {langs} languages, OpenAI says",
            "{org} swaps its call-centre scripts for GPT-4o real-time voice",
            "Hands-on: talking to GPT-4o on a crowded {city} train",
            "GPT-4o voice latency drops to {ms} ms in new developer figures",
        ],
        "leads": [
            "OpenAI said on {day} that GPT-4o's voice mode can now hold conversations in {langs} "
            "languages, up from a handful when the feature first reached ChatGPT.",
            "When {org} switched its phone support in {city} to GPT-4o's real-time voice interface "
            "this autumn, the first thing staff noticed was how rarely callers asked for a human.",
            "On a packed morning train in {city}, with announcements blaring overhead, I spent "
            "forty minutes talking to GPT-4o through a pair of cheap earphones.",
            "OpenAI's GPT-4o can now hold a spoken conversation with an average response time of "
            "about {ms} milliseconds, according to figures shared with developers on {day}.",
        ],
        "body": [
            "The model listens and speaks natively rather than passing audio through separate "
            "transcription and speech-synthesis steps, which is what cuts the delay.",
            "Users can interrupt it mid-sentence, and it stops talking almost immediately instead "
            "of finishing a prepared answer.",
            "In a test run by {person}, a product lead at {org}, the assistant switched between "
            "English and Mandarin {n} times in a single call without losing the thread.",
            "The voice feature still struggles with heavy background noise, and it sometimes "
            "mistakes laughter for the start of a new question.",
            "{org} said average handling time on routine calls fell by {pct} percent in the first "
            "month of the pilot.",
            "Developers reach the same capability through the Realtime API, which streams audio in "
            "both directions over a single connection.",
            "Several listeners said the default voices sound warmer than earlier assistants, "
            "although a few found the cheerful tone grating after a while.",
            "OpenAI limits which voices are available and says it blocks requests to imitate "
            "specific real people.",
            "Accessibility groups in {city} have welcomed the feature for blind and low-vision "
            "users who rely on spoken interfaces.",
        ],
    },
    "image": {
        "titles": [
            "GPT-4o image generation gets sharper text and {n} new editing tools",
            "Designers at {org} test GPT-4o image generation against their own illustrators",
            "Why GPT-4o's built-in image generation changed how {city} marketers work",
            "OpenAI says users made {big} images with GPT-4o in a single week",
        ],
        "leads": [
            "OpenAI has added {n} editing tools to image generation in GPT-4o and says pictures "
            "now render the text inside them far more reliably, according to release notes "
            "published on {day}.",
            "{person}, an art director at {org} in {city}, spent a fortnight asking GPT-4o to "
            "produce the posters the studio usually draws by hand.",
            "Marketing agencies in {city} say GPT-4o's built-in image generation has cut the time "
            "from brief to first draft from days to minutes, and changed what clients expect at "
            "the first meeting.",
            "Image generation inside GPT-4o has become one of ChatGPT's most used features, and "
            "OpenAI said on {day} that people created more than {big} images in the past week.",
        ],
        "body": [
            "Because the images come from the same model that reads the conversation, it can "
            "follow long, detailed instructions and keep characters consistent across several "
            "pictures.",
            "Rendering legible text inside an image, long a weak spot for generators, is "
            "noticeably better: menus, street signs and diagrams mostly come out spelled "
            "correctly.",
            "Each generated picture carries C2PA metadata that identifies it as made by an AI "
            "system, although the tag is easy to strip.",
            "{person} said about {pct} percent of the drafts were usable with minor edits, while "
            "the rest needed to be redrawn.",
            "Generating a detailed image can take close to a minute, far slower than producing "
            "text.",
            "The model refuses some requests involving real public figures and imitations of "
            "living artists' styles, according to OpenAI's published policy.",
            "Users can upload a photo and ask for changes in plain language, such as swapping the "
            "background or turning a sketch into a finished illustration.",
            "Copyright lawyers in {city} say the rules on who owns such images are still "
            "unsettled.",
        ],
    },
    "api": {
        "titles": [
            "OpenAI cuts GPT-4o API prices again: what it means for developers",
            "{org} says its GPT-4o API bill fell {pct}% after switching to batch requests",
            "GPT-4o pricing explained: input tokens, output tokens and cached prompts",
            "Start-ups in {city} count every token as GPT-4o API usage grows",
        ],
        "leads": [
            "OpenAI has lowered the price of GPT-4o in its API once more, and developers now pay "
            "about ${price_in} per million input tokens and ${price_out} per million output "
            "tokens.",
            "{org} cut its monthly GPT-4o API bill by {pct} percent after moving overnight "
            "workloads to OpenAI's batch interface, the company said on {day}.",
            "Developers paying for GPT-4o through OpenAI's API are charged about ${price_in} per "
            "million input tokens and ${price_out} per million output tokens this week.",
            "{org}, a {city} start-up with {n} engineers, rebuilt its document pipeline around the "
            "GPT-4o API this year and tracks every cent it spends on tokens.",
        ],
        "body": [
            "Output tokens cost several times as much as input tokens, so applications that "
            "generate long answers pay far more than ones that mostly read.",
            "Prompts that repeat the same long prefix benefit from cached input pricing, which "
            "bills the reused part at a discount.",
            "The Batch API lets customers submit large jobs to be finished within a day in "
            "exchange for roughly half the normal price.",
            "{person}, the chief technology officer at {org}, said the monthly bill dropped by "
            "{pct} percent after overnight jobs moved to batch processing.",
            "Audio through the Realtime API is priced separately and costs considerably more per "
            "minute than text.",
            "The smaller GPT-4o mini model is a fraction of the price and is good enough for "
            "classification and short summaries, developers say.",
            "Rate limits rise automatically as an organisation's spending history grows, which "
            "frustrates new customers with sudden bursts of traffic.",
            "Analysts at {org2} estimate that the price of a comparable query has fallen by more "
            "than {pct} percent since the model launched.",
        ],
    },
    "vision": {
        "titles": [
            "GPT-4o reads charts, receipts and handwriting: a multimodal test",
            "Hospitals in {city} trial GPT-4o's multimodal model on paperwork",
            "{org} puts GPT-4o's vision features into its warehouse app",
            "What a multimodal model sees: {n} photos put to GPT-4o",
        ],
        "leads": [
            "We gave GPT-4o {n} photographs of receipts, whiteboards and hand-drawn diagrams to "
            "see how well its multimodal understanding holds up outside a demo.",
            "Three hospitals in {city} have begun a trial in which GPT-4o's multimodal model reads "
            "scanned referral letters and drafts summaries for doctors to check, officials said on "
            "{day}.",
            "GPT-4o was built as a multimodal model from the start, taking text, images and audio "
            "in a single network, and {org} says that design is paying off in its {city} depots.",
            "Ask a multimodal model what is in a photograph and the answer is usually right; ask "
            "it how many, and things get interesting, as {n} test images put to GPT-4o this week "
            "showed.",
        ],
        "body": [
            "The model correctly transcribed {pct} percent of the handwritten notes in the test "
            "set, stumbling mainly on crossed-out words.",
            "Asked to explain a bar chart from a quarterly report, it named the trend correctly "
            "but misread one axis label.",
            "Screenshots of error messages are among the most common images people upload, "
            "according to {person}, who builds support tools at {org}.",
            "Because vision and language share one model, users can point at part of a picture and "
            "ask follow-up questions about it.",
            "The model still has trouble counting objects precisely and reading very small print.",
            "Video is handled as a sequence of sampled frames rather than continuous footage, "
            "which limits how well it follows fast movement.",
            "Staff at {org} photograph damaged parcels and let the system draft the claim form, a "
            "task that used to take {n} minutes per item.",
            "Privacy advocates warn that photos sent to the model can contain faces and addresses "
            "that users did not mean to share.",
        ],
    },
    "chatgpt": {
        "titles": [
            "ChatGPT moves free users to GPT-4o with new daily limits",
            "ChatGPT desktop app adds GPT-4o screen sharing in {city} beta",
            "How students in {city} really use ChatGPT and GPT-4o",
            "ChatGPT passes {users} million weekly users as GPT-4o stays the default",
        ],
        "leads": [
            "ChatGPT users on the free tier now get GPT-4o by default for a limited number of "
            "messages, after which they are moved to a smaller model, OpenAI said on {day}.",
            "A beta version of the ChatGPT desktop app lets GPT-4o look at a window the user "
            "chooses to share, and testers in {city} have spent the week pointing it at "
            "spreadsheets, slides and stubborn error messages.",
            "A survey of {big} students in {city} found that most open ChatGPT at least once a "
            "day, and nearly all of them use GPT-4o without knowing the model's name.",
            "ChatGPT now has more than {users} million weekly users, OpenAI said on {day}, and "
            "most of their conversations still run on GPT-4o.",
        ],
        "body": [
            "Paying Plus subscribers get roughly five times the free message allowance and earlier "
            "access to new features.",
            "The desktop app can look at a shared window, so users can ask GPT-4o about a "
            "spreadsheet or code editor without copying text.",
            "Memory lets ChatGPT recall preferences between conversations, though users can view "
            "and delete what it stores.",
            "{person}, a teacher at {org}, said pupils there use ChatGPT mostly to check homework "
            "explanations rather than to write essays.",
            "OpenAI says ChatGPT has more than {users} million weekly users worldwide.",
            "Team and Enterprise plans keep business data out of model training by default, a "
            "point sales staff stress in every meeting.",
            "When the daily GPT-4o allowance runs out, answers come back faster but noticeably "
            "shorter.",
            "Some users complained that the assistant had become too agreeable, and OpenAI rolled "
            "back an update after the feedback.",
        ],
    },
    "industry": {
        "titles": [
            "Rivals race to match GPT-4o as OpenAI's multimodal lead narrows",
            "Regulators in {city} question OpenAI over GPT-4o safety testing",
            "{org} bets its product roadmap on GPT-4o",
            "Why {org2} thinks price, not benchmarks, now sells GPT-4o",
        ],
        "leads": [
            "More than two years after OpenAI introduced GPT-4o, competitors from {city} to "
            "Silicon Valley say they have caught up on benchmarks, but customers describe a "
            "messier picture.",
            "OpenAI published a system card for GPT-4o describing months of external red-teaming, "
            "and officials in {city} said on {day} they want to see more of the underlying data.",
            "{org} will rebuild its main products around GPT-4o over the next {n} months, the "
            "company told staff in {city} on {day}, a bet that ties its future to OpenAI's "
            "pricing.",
            "Benchmark tables still dominate launch announcements, but analysts at {org2} say "
            "contracts for models such as GPT-4o are now won and lost on the price per token.",
        ],
        "body": [
            "The system card rates the model's risk as medium in persuasion and low in the other "
            "categories OpenAI tracks.",
            "External testers spent weeks trying to make the voice model produce unauthorised "
            "voices or harmful instructions.",
            "{person}, an analyst at {org2}, said price cuts rather than benchmark scores now "
            "decide most enterprise contracts.",
            "Open-weight models have closed much of the gap on text tasks, but few match GPT-4o's "
            "speed on combined audio and vision.",
            "Several large customers use more than one provider so they can switch models if "
            "prices or terms change.",
            "{org} said it had evaluated {n} models before choosing GPT-4o for its customer-facing "
            "assistant.",
            "European regulators are watching how general-purpose AI models are documented under "
            "the new rules.",
            "Investors say revenue from ChatGPT subscriptions and the API is growing quickly, but "
            "so is the cost of computing power.",
        ],
    },
}

GPT4O_COMMON: list[str] = [
    "GPT-4o, where the o stands for omni, was first shown by OpenAI in May 2024.",
    "OpenAI describes GPT-4o as a single model trained end to end across text, vision and audio.",
    "The company has updated GPT-4o several times since launch without changing its name.",
    "{person2}, who has followed OpenAI for years, said the pace of releases makes it hard for "
    "customers to plan.",
    "An OpenAI spokesperson declined to give usage figures for individual countries.",
    "Developers on forums compared GPT-4o with competing models and reported mixed results on long "
    "documents.",
    "OpenAI has said it will keep GPT-4o available in the API for the foreseeable future.",
    "In ChatGPT, GPT-4o remains the model most people meet first.",
]

# Off-topic families: titles, leads, body.
OFF: dict[str, dict[str, list[str]]] = {
    "football": {
        "titles": [
            "{team} beat {team2} {score} to go top of the table",
            "Late {player} goal rescues {team} in {city}",
            "{coach} defends rotation after {team}'s cup exit",
            "{team2} fans protest ticket prices before derby",
            "Injury crisis deepens for {team} ahead of round {round}",
            "{coach} says {team} will not panic after third defeat in four",
        ],
        "leads": [
            "{team} beat {team2} {score} at {stadium} on {day}, with {player} scoring in the "
            "{minute}th minute to settle a tense afternoon in front of {crowd} supporters.",
            "{player} struck in the {minute}th minute to rescue a point for {team} in {city} on "
            "{day}, after the visitors had trailed for most of a wet afternoon at {stadium}.",
            "{coach} defended the decision to rest {n} regular starters after {team} were knocked "
            "out of the cup on {day}, insisting the league remains the priority.",
            "Supporters of {team2} marched to {stadium} before kick-off on {day} to protest "
            "against another rise in season-ticket prices.",
            "{team} will face {team2} in round {round} without {n} first-team players after two "
            "more injuries in training this week, {coach} confirmed on {day}.",
            "{coach} insisted on {day} that {team} would not panic after a third defeat in four "
            "matches left the club {n} points off the top.",
        ],
        "body": [
            "The visitors dominated possession in the first half but managed only one shot on "
            "target.",
            "{player} curled the winner into the far corner after a quick free kick caught the "
            "defence asleep.",
            "{coach} made {n} changes to the starting line-up, resting several players ahead of "
            "next week's cup tie.",
            "The home goalkeeper made three fine saves to keep the score level before the break.",
            "Attendance at {stadium} was {crowd}, the highest of the season so far.",
            "{team2} had a late penalty appeal turned down after the video review took almost four "
            "minutes.",
            "The result gives {team} {n} points from the last five matches.",
            "Two players were booked in a scrappy second half that produced few clear chances.",
            "\"The lads gave everything,\" {coach} told reporters afterwards. \"We defended as a "
            "team.\"",
            "Tickets for the next home game start at {price}, a rise of {pct} percent on last "
            "season.",
            "The club confirmed that its captain will miss at least {n} weeks with a hamstring "
            "injury.",
            "Rain made the pitch heavy, and both sides struggled to string passes together.",
            "A youth-team graduate made his debut off the bench and was applauded by the home "
            "crowd.",
            "The league will review the referee's decision, a spokesman said.",
            "Fans stayed behind after the final whistle to sing for the departing assistant coach.",
            "Next up for {team} is a trip to face {team3}.",
        ],
    },
    "cooking": {
        "titles": [
            "{chef}'s {dish}: ready in {minutes} minutes",
            "The {city} restaurant reviving an old way to cook {ingredient}",
            "Five mistakes people make with {dish}, according to {chef}",
            "A winter menu built around {ingredient}",
            "Inside {restaurant}, where the queue starts at 6am",
            "{n} years of {dish} at {restaurant}",
        ],
        "leads": [
            "A good {dish} needs nothing complicated, says {chef}, just patience and {grams} grams "
            "of {ingredient} bought on the day.",
            "At {restaurant} in {city}, the kitchen has gone back to cooking {ingredient} slowly "
            "over charcoal, the way it was done before gas stoves arrived.",
            "Most home cooks get {dish} wrong in the same few ways, says {chef}, who has taught "
            "the dish to beginners at {restaurant} for {n} years.",
            "When the weather turns cold, {chef} builds the whole menu at {restaurant} around "
            "{ingredient}, from a clear soup to a sticky dessert.",
            "The queue outside {restaurant} in {city} begins before sunrise, and by lunchtime the "
            "kitchen has usually sold out of {dish}.",
            "{chef} has been cooking {dish} at {restaurant} in {city} for {n} years, and every "
            "batch still starts with spices toasted by hand.",
        ],
        "body": [
            "Heat the pan until a drop of water skips across the surface before adding the oil.",
            "Season in layers: a little salt at the start, and taste again before serving.",
            "The kitchen soaks the {ingredient} overnight, which roughly halves the cooking time.",
            "Leftovers keep for three days in the fridge and taste better on the second day.",
            "The restaurant buys its {ingredient} from a farm {n} kilometres outside {city}.",
            "A plate of {dish} costs {price}, up slightly from last year because of higher "
            "vegetable prices.",
            "Resting the dough for at least twenty minutes makes it far easier to roll thin.",
            "Do not crowd the pan; cook in two batches so everything browns instead of steaming.",
            "A squeeze of lemon at the end lifts the whole dish.",
            "Regulars order a second portion to take home, the staff said.",
            "The recipe serves four and takes about {minutes} minutes from start to finish.",
            "The founder's handwritten notes still hang on the kitchen wall.",
            "Vegetarians can swap the stock for a simple mushroom broth.",
            "Toasted sesame seeds add crunch, but they burn quickly, so watch them closely.",
            "Cooking classes at {restaurant} are booked out until spring.",
            "Critics have praised the kitchen for keeping prices low while portions stay generous.",
            "One regular admitted asking ChatGPT for a shortcut and going back to the old method "
            "the following week.",
        ],
    },
    "transport": {
        "titles": [
            "{city} opens metro {line} extension with {stations_n} new stations",
            "Bus lanes cut journey times by {pct}% in {city}, study finds",
            "{city} commuters face fare rise to {fare} next year",
            "Night trains return to {city} after five-year pause",
            "Bike-share scheme in {city} passes {big} trips",
        ],
        "leads": [
            "{city} opened a {km}-kilometre extension of metro {line} on {day}, adding "
            "{stations_n} stations and connecting two fast-growing districts to the city centre.",
            "Buses in {city} now run about {pct} percent faster on the busiest corridors after a "
            "year of dedicated lanes, according to figures released by the city on {day}.",
            "Commuters in {city} will pay {fare} for a standard single journey from January, the "
            "city's transport authority said on {day}.",
            "Overnight trains will run again between {city} and the coast from next month, five "
            "years after the service was cut, the operator announced on {day}.",
            "Riders in {city} have made more than {big} trips on the city's shared bicycles since "
            "the scheme started, the transport bureau said on {day}.",
        ],
        "body": [
            "The authority expects about {riders} passengers a day on the new section within its "
            "first year.",
            "Trains will run every four minutes at peak times and every eight minutes in the "
            "evening.",
            "{station} station, the largest on the line, includes a multimodal interchange with "
            "buses and a taxi rank.",
            "{official}, who oversees the project, said construction finished {n} months behind "
            "schedule because of groundwater problems.",
            "Residents near the route complained about noise during three years of tunnelling.",
            "Parking fees near the stations will rise to encourage people to leave their cars at "
            "home.",
            "Older passengers and students will continue to travel at half price.",
            "The city plans to add {n} electric buses to the fleet before the end of next year.",
            "Cycling groups want safer crossings at busy junctions before the bike-share scheme "
            "expands further.",
            "Delays on the old signalling system have become rarer since the upgrade, the operator "
            "said.",
            "Platform screen doors have been installed at every station on the new stretch.",
            "Ticket machines accept cards and phone payments, but cash is still taken at staffed "
            "windows.",
            "Traffic police will monitor the bus lanes with cameras, and drivers face fines for "
            "using them.",
            "A second phase, running to the airport, is due to start construction in {year}.",
            "Commuters interviewed on the first morning mostly praised the air conditioning and "
            "the shorter walk.",
            "Critics argue the money would have been better spent on frequent buses in outer "
            "districts.",
        ],
    },
    "weather": {
        "titles": [
            "Cold snap to bring {temp_lo}°C nights to {city}",
            "{city} braces for heavy rain as storm moves inland",
            "Record warmth in {city}: {temp_hi}°C in mid-November",
            "Fog closes roads around {city} for a second morning",
            "Weekend forecast: wind and showers across {region}",
        ],
        "leads": [
            "Temperatures in {city} will fall to {temp_lo}°C overnight later this week as a cold "
            "air mass moves south, forecasters said on {day}.",
            "Up to {rain_mm} millimetres of rain could fall on {city} and the surrounding area "
            "over the next two days, the regional weather office warned on {day}.",
            "{city} recorded {temp_hi}°C on {day}, the warmest November day since local records "
            "began.",
            "Thick fog closed several roads around {city} for a second morning on {day}, with "
            "visibility below fifty metres on the ring road before dawn.",
            "A band of showers and gusty wind will cross {region} over the weekend, forecasters "
            "said on {day}, before a drier spell early next week.",
        ],
        "body": [
            "Forecasters issued a yellow warning for winds reaching force {wind} along the coast.",
            "Drivers are advised to allow extra time and to use dipped headlights in fog.",
            "Farmers in {region} have been urged to protect winter crops from frost.",
            "Schools will stay open, but outdoor sports fixtures may be postponed.",
            "The rain should clear by the weekend, leaving bright but chilly conditions.",
            "{official}, a senior forecaster, said the pattern is typical for the season but "
            "arrived a little earlier than usual.",
            "Air quality is expected to improve once the wind picks up.",
            "Ferry services to outlying islands may be suspended if the gusts strengthen.",
            "Heating demand rose sharply, and the grid operator said supplies remain adequate.",
            "Hikers should avoid exposed ridges until the warning is lifted.",
            "Daytime highs will struggle to reach {temp_hi}°C later in the week.",
            "Pharmacies reported more customers buying cold remedies as temperatures dropped.",
            "Flights at the regional airport were delayed by up to {n} hours in the morning.",
            "Emergency crews cleared fallen branches from several roads overnight.",
            "Longer-range models suggest a milder spell towards the end of the month.",
            "Residents are asked to check on elderly neighbours during the cold nights.",
        ],
    },
}

GENERIC: list[str] = [
    "{org} did not respond to a request for comment by {day} evening.",
    "The figures could not be independently verified.",
    "\"We are still learning,\" said {person2}. \"Ask me again in six months.\"",
    "Local media in {city} reported similar numbers earlier in the week.",
    "A fuller report is expected before the end of the year.",
    "Not everyone is convinced.",
    "Critics say the announcement leaves several practical questions unanswered.",
    "{person2}, who was not involved, called the results encouraging but early.",
    "The details were first described in a memo seen by this publication.",
]

COMMENTS: list[str] = [
    "Great write-up, thanks.",
    "I tried this last week and had a completely different experience.",
    "Does anyone know if this applies outside the US?",
    "The headline oversells it a bit, but the details are useful.",
    "Been waiting for someone to cover this properly.",
    "Not convinced. Let's see the numbers in a year.",
    "My team switched months ago and we haven't looked back.",
    "Typo in the third paragraph, otherwise solid.",
    "This is exactly the kind of reporting we need more of.",
    "Can you do a follow-up with the people who deal with this every day?",
    "Prices keep changing, so bookmark this and check again.",
    "Interesting, but what about privacy?",
    "I shared this with my parents and they had questions too.",
    "The comments here are better than the article, as usual.",
    "Fair and balanced piece.",
    "Who else read this on the train this morning?",
    "Same thing happened in my town two years ago.",
    "Would love a chart comparing this with last year.",
]

COMMENT_OPENERS: list[str] = ["", "", "Honestly, ", "Agreed. ", "Hmm. ", "Well, ", "Ha. ", "+1. "]

FIRST_NAMES: list[str] = [
    "Jane", "Mark", "Priya", "Tom", "Elena", "David", "Grace", "Omar", "Lucy", "Daniel",
    "Hannah", "Samuel", "Aisha", "Peter", "Nora", "Victor", "Chloe", "Ben", "Maria", "Kenji",
    "Fatima", "Leo", "Rachel", "Ethan", "Sofia", "Hugo", "Ines", "Adam", "Mei", "Oliver",
]
LAST_NAMES: list[str] = [
    "Whitfield", "Okafor", "Brennan", "Lindqvist", "Ramos", "Patel", "Chen", "Novak", "Harper",
    "Mensah", "Kowalski", "Dubois", "Fischer", "Ahmed", "Larsen", "Moreau", "Tanaka", "Walsh",
    "Costa", "Hughes", "Ibrahim", "Keller", "Rossi", "Sato", "Nguyen", "Morgan", "Quinn", "Abara",
    "Silva", "Young",
]
ORGS: list[str] = [
    "Northwind Logistics", "Brightline Health", "Copperleaf Insurance", "Tidewater Bank",
    "Halcyon Games", "Meridian Telecom", "Fernhill Retail", "Quarry Labs", "Bluebird Education",
    "Stonebridge Analytics", "Orchard Systems", "Pinecrest Media", "Kestrel Mobility",
    "Silverline Legal", "Greenway Grocers", "Polaris Learning", "Redwood Freight",
    "Cobalt Support", "Maple Street Clinics", "Lattice Works",
]
ANALYSTS: list[str] = [
    "Fathom Research", "Quadrant Insight", "Bellwether Analytics", "Signal Hill Partners",
    "Crosswind Advisory",
]
CITIES: list[str] = [
    "London", "Manchester", "Singapore", "Toronto", "Sydney", "Berlin", "Dublin", "Seattle",
    "Austin", "Melbourne", "Auckland", "Edinburgh", "Hong Kong", "Shanghai", "Shenzhen",
    "Chicago", "Lisbon", "Nairobi", "Vancouver", "Cape Town",
]
TEAMS: list[str] = [
    "Riverside Rovers", "Northgate United", "Harbourside FC", "Kingsmead Athletic",
    "Westbrook Wanderers", "Eastfield City", "Millbrook Town", "Castleton Albion",
    "Ironbridge FC", "Lakeside Rovers", "Oakham Athletic", "Fairhaven Town",
]
STADIUMS: list[str] = [
    "Riverside Park", "Kingsmead Ground", "Harbour Road", "Northgate Stadium", "Castle Field",
    "Westbrook Arena", "The Quayside",
]
DISHES: list[str] = [
    "braised pork belly", "mushroom risotto", "lamb hotpot", "dan dan noodles", "fish pie",
    "chicken and leek pie", "vegetable dumplings", "tomato and egg stir-fry", "beef stew",
    "lemon tart", "sourdough loaf", "miso aubergine",
]
INGREDIENTS: list[str] = [
    "chestnuts", "winter squash", "leeks", "shiitake mushrooms", "pork shoulder",
    "dried chillies", "Savoy cabbage", "chickpeas", "celeriac", "black beans", "fresh ginger",
    "lotus root",
]
RESTAURANTS: list[str] = [
    "The Copper Pot", "Auntie Wen's Kitchen", "Lantern House", "The Larder",
    "Blue Door Canteen", "Market Street Diner", "Hearth and Stone",
]
STATIONS: list[str] = [
    "Riverside", "Old Market", "University Park", "East Harbour", "Civic Centre", "Northgate",
    "Mill Lane",
]
REGIONS: list[str] = [
    "the north-west", "the coastal counties", "the river delta", "the highlands",
    "the eastern plains",
]
WEEKDAYS: list[str] = [
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
]
MONTHS: list[str] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
