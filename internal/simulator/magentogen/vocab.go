package magentogen

// name is a person's name as displayed and its ASCII form for e-mail
// addresses.
type name struct{ display, ascii string }

var firstNames = []name{
	{"Veronica", "veronica"}, {"John", "john"}, {"Emma", "emma"}, {"Liam", "liam"},
	{"Olivia", "olivia"}, {"Noah", "noah"}, {"Ava", "ava"}, {"James", "james"},
	{"Sophia", "sophia"}, {"Lucas", "lucas"}, {"Mia", "mia"}, {"Ethan", "ethan"},
	{"Grace", "grace"}, {"Daniel", "daniel"}, {"Anna", "anna"}, {"Leo", "leo"},
	{"José", "jose"}, {"Zoë", "zoe"}, {"Chloé", "chloe"}, {"Björn", "bjorn"},
	{"Sofía", "sofia"}, {"Łukasz", "lukasz"}, {"Aiko", "aiko"}, {"Priya", "priya"},
	{"Mohammed", "mohammed"}, {"Ngozi", "ngozi"}, {"美咲", "misaki"}, {"伟", "wei"},
	{"Olga", "olga"}, {"Søren", "soren"}, {"François", "francois"}, {"Mateo", "mateo"},
}

var lastNames = []name{
	{"Costello", "costello"}, {"Smith", "smith"}, {"Johnson", "johnson"}, {"Brown", "brown"},
	{"Williams", "williams"}, {"Miller", "miller"}, {"Davis", "davis"}, {"Martinez", "martinez"},
	{"Nguyen", "nguyen"}, {"Kim", "kim"}, {"Taylor", "taylor"}, {"Clark", "clark"},
	{"Lee", "lee"}, {"Walker", "walker"}, {"Hall", "hall"}, {"Young", "young"},
	{"Müller", "muller"}, {"García", "garcia"}, {"O'Brien", "obrien"}, {"Kowalski", "kowalski"},
	{"Dubois", "dubois"}, {"Rossi", "rossi"}, {"Novák", "novak"}, {"Jørgensen", "jorgensen"},
	{"田中", "tanaka"}, {"王", "wang"}, {"Papadopoulos", "papadopoulos"}, {"Okafor", "okafor"},
	{"Singh", "singh"}, {"van der Berg", "vanderberg"}, {"Smith-Jones", "smithjones"}, {"Ali", "ali"},
}

// city is a city as typed on a shipping form and as another source system
// stored it (lower case, or otherwise different).
type city struct{ typed, other string }

var cities = []city{
	{"New York", "new york"}, {"Austin", "austin"}, {"São Paulo", "são paulo"},
	{"Zürich", "zurich"}, {"Kraków", "krakow"}, {"東京", "tokyo"},
	{"Washington, D.C.", "washington dc"}, {"Montréal", "montréal"}, {"Berlin", "berlin"},
	{"London", "london"}, {"Paris", "paris"}, {"Reykjavík", "reykjavik"},
	{"Mumbai", "mumbai"}, {"Lagos", "lagos"}, {"Sydney", "sydney"},
	{"Coeur d'Alene", "coeur d'alene"}, {"Winston-Salem", "winston salem"}, {"Chicago", "CHICAGO"},
}

// notes are customer notes: plain text and the hostile kinds (comma, quotes,
// LF, CRLF, HTML, accents, CJK, emoji, empty).
var notes = []string{
	"Please leave at the back door",
	"Deliver after 5pm, ring twice",
	`Gift wrap please, it's for "Mum"`,
	"Line one\nLine two",
	"First line\r\nSecond line\r\nThird line",
	"<p>Call me <b>before</b> delivery &amp; thanks</p>",
	"Merci beaucoup ! Livraison à l'accueil, s'il vous plaît.",
	"请在工作日送货",
	"Thanks! 🎉🚀",
	"",
	`He wrote ""twice"" on the box`,
	"  leading and trailing spaces  ",
	"Tab\tseparated\tnote",
	"Ünïcödé ñotes with ß and œ",
}

// orderNotes are values of the "Order Notes " column.
var orderNotes = []string{"VIP", "Repeat customer, priority", "Fragile", "Call on arrival", "Zahlung per Rechnung"}

// orderState is a sales order's state and status, with its weight per 100
// orders.
type orderState struct {
	state, status string
	weight        int64
}

// states are the (state, status) pairs of sales orders.
var states = []orderState{
	{"complete", "complete", 60},
	{"processing", "processing", 12},
	{"canceled", "canceled", 8},
	{"new", "pending", 8},
	{"closed", "closed", 5},
	{"pending_payment", "pending_payment", 3},
	{"holded", "holded", 2},
	{"processing", "fraud", 2},
}

// currencies are order currency codes with weights per 100.
var currencies = []struct {
	code   string
	weight int64
}{{"USD", 70}, {"EUR", 15}, {"GBP", 10}, {"JPY", 5}}

// productAdjectives and productNouns make product names; each noun has a
// SKU code. Some are hostile (quotes, commas, emoji, CJK).
var productAdjectives = []string{
	"Joust", "Strive", "Crown Summit", "Wayfarer", "Impulse", "Endeavor", "Fusion",
	"Rival", "Driven", "Overnight", "Push It", "Affirm", "Café", "Señora", "Über",
	"Zen", "Nordic", "Sprite", "Harmony", "Aether",
}

var productNouns = []struct{ noun, code string }{
	{"Duffle Bag", "MB"}, {"Shoulder Pack", "SP"}, {"Backpack", "BP"}, {"Messenger Bag", "MG"},
	{"Water Bottle", "WB"}, {"Yoga Mat", "YM"}, {"Tee", "TS"}, {"Hoodie", "MH"},
	{"Jacket", "MJ"}, {"Short", "SH"}, {"Pant", "PT"}, {"Tank", "WT"},
	{"Watch", "WG"}, {`12" Foam Roller`, "FR"}, {"Gift Card, $50", "GC"}, {"Mug ☕", "MU"},
	{"Tee 🚀", "TR"}, {"抹茶 Tea Set", "TE"},
}

var productTypes = []string{"simple", "simple", "simple", "configurable", "virtual", "bundle"}

// descriptions are product descriptions: HTML with LF and CRLF line breaks,
// quotes and commas, and plain text, as the real Magento sample data has.
var descriptions = []string{
	"<p>The sporty bag can't be beat. Its large, roomy main compartment fits all your gear.</p>\n<ul>\n<li>Dual top handles.</li>\n<li>Adjustable shoulder strap.</li>\n</ul>",
	"<p>Perfect for \"hot\" yoga, with a non-slip surface.</p>\r\n<ul>\r\n<li>Machine wash, cold.</li>\r\n</ul>",
	"Lightweight, breathable and durable.",
	"Soft cotton tee with a crew neck",
	"<div class=\"product\">Café-grade ceramic, 350 ml ☕</div>",
	"高品質の抹茶セット。贈り物に最適です。",
}

// optionValues are JSON string literals (already encoded) for product
// options; some carry escapes.
var optionValues = []struct{ label, value string }{
	{`"Size"`, `"XS"`}, {`"Size"`, `"M"`}, {`"Size"`, `"XL"`},
	{`"Color"`, `"Red"`}, {`"Color"`, `"Bleu ciel"`}, {`"Color"`, `"赤"`},
	{`"Größe"`, `"12\" \\ 30 cm"`}, {`"Engraving"`, `"Happy b\u00e9day! 🎂"`},
}
