"""GSM8K and MMLU test items rephrased freely, the way a person or a model paraphrases them.

Written for this project's evaluation suite (not by a script, and not taken from any
published rephrasing of GSM8K or MMLU, which are held out). The suite's rule-made
rewordings swap synonyms, reorder clauses and rename people; these rewrite the sentences
as a whole: other structure, other words, numbers sometimes spelled out, options reworded
and reordered. Keys are (subject or ``gsm8k``, the item's line in its test file, from 0).
"""

from __future__ import annotations

REPHRASINGS: dict[tuple[str, int], str] = {
    ("gsm8k", 1000): "On Monday Dr. Jones will be at his clinic for 9 hours. Seeing each of the 9 patients admitted "
                     "there takes him 20 minutes, and he also has 10 half-hour appointments. How much time, in hours, "
                     "does that leave him for updating his records?",
    ("gsm8k", 1001): "To bake a birthday cake for her mother, Jordan needs 20 minutes for the batter, half an hour in "
                     "the oven, two hours for it to cool and then 10 minutes of frosting. The cake has to be ready by "
                     "5 pm. What is the latest she can begin, if everything happens the same day?",
    ("gsm8k", 1002): "Going from door to door, Lisa sells 3.5 boxes of chocolate bars and Peter sells 4.5 boxes. "
                     "Together that comes to 64 bars. How many bars does one box hold?",
    ("gsm8k", 1003): "Renting a dance studio costs $25 for each session, plus $1.50 for every student attending that "
                     "session. The studio currently has ten students and is booked three days each week. What will it "
                     "earn over a month?",
    ("gsm8k", 1004): "Peter's 64 chocolate bars are split evenly among 4 boxes; Martha's 56 bars are split evenly "
                     "among 7 boxes. How many more bars are in each of Peter's boxes than in each of Martha's?",
    ("gsm8k", 1005): "A park is home to 50 porcupines, and three fifths of them are female. Every female has 4 babies "
                     "a month. After one year, how many porcupines live in the park?",
    ("gsm8k", 1006): "To know how many gallons their pool takes, the Smiths must multiply its volume by 5.9. Filling "
                     "costs 10 cents per gallon, and the pool measures 25 ft long, 14 ft wide and 4 ft deep. What "
                     "will filling it cost?",
    ("gsm8k", 1007): "In a game of pick-up sticks there are nine red sticks. The blue sticks outnumber the red ones by "
                     "5, and there are 3 fewer yellow sticks than blue ones. How many sticks are there altogether?",
    ("gsm8k", 1008): "Shandy drove for 10 hours at 45 mph, while Matteo drove for 4 hours at 55 mph. How much farther "
                     "did Shandy go?",
    ("gsm8k", 1009): "Of the 3000 students at Brook Hills High, half are older than 16, and a quarter of those are "
                     "boys. The other half are younger than 16, and half of them are boys. How many girls attend the "
                     "school?",
    ("gsm8k", 1010): "In an hour Bethany runs ten laps. Trey manages four laps more than Bethany, Shaelyn half as many "
                     "as Trey, and Quinn two fewer than Shaelyn. By how many laps does Bethany beat Quinn?",
    ("gsm8k", 1011): "Wanda and Ms. B are filling an 18000-gallon tank from a pond over two days. On day one Wanda "
                     "pumps a quarter of the capacity and Ms. B pumps three quarters of what Wanda pumped. On day two "
                     "Wanda pumps two thirds of her first-day amount and Ms. B a third of hers. How many gallons are "
                     "still needed to fill the tank?",
    ("gsm8k", 1012): "Maria took a partly charged power bank to the park and used it to charge her friends' phones. "
                     "For 5 hours it lost 9% of its capacity per hour, then for roughly 3 more hours it lost 7% per "
                     "hour, ending at 28%. How charged was it when she arrived at the park?",
    ("gsm8k", 1013): "Working as a waitress, Janet earns $10 an hour in wages plus $15 an hour in tips. She wants a "
                     "down payment of 20% on a car costing $10,000. Working 40 hours each week, how many weeks until "
                     "she has saved it?",
    ("gsm8k", 1014): "Jamaar has $10 from mowing lawns to spend on fruit. With tax, peaches and pears cost 50 cents "
                     "each, apples 75 cents, kiwis a dollar and plums 25 cents. He has already picked 3 peaches, 4 "
                     "pears, 2 kiwis and 5 apples. How many plums can he still afford?",
    ("gsm8k", 1015): "A box of sweets holds 15 packs of 60 pieces each. Anne keeps 2 packs and shares the remaining "
                     "packs equally among 10 friends. How many pieces does each friend get?",

    ("sociology", 0): "According to mass-society theory, which is true?\n(A) Audiences interpret media messages "
                      "selectively\n(B) The ruling class's ideology dominates the subordinate classes\n(C) Media "
                      "treat the masses as passive, vulnerable consumers and manipulate them\n(D) Market forces "
                      "decide what the media contain",
    ("sociology", 1): "What did the ecological approach in urban sociology look at?\nA. Differences in how men and "
                      "women use public spaces in cities\nB. How social groups settled parts of a city and competed "
                      "over its resources\nC. Wildlife and habitats at the city's edges\nD. Collective protests about "
                      "the environment",
    ("sociology", 2): "What was Becker's claim about smoking cannabis?\n- It was growing among all groups of young "
                      "people in the 1970s\n- It was less pleasurable than other sociologists thought\n- It was a "
                      "risky activity young people should be kept from\n- It was learned step by step through the "
                      "social process of a deviant career",
    ("sociology", 3): "Which description fits the middle classes that emerged during the 1800s?\n(A) They often did "
                      "white-collar jobs\n(B) They lived in towns and took part in civic and voluntary bodies\n(C) "
                      "They were too varied to share much class consciousness\n(D) All of these",
    ("sociology", 4): "What have technologies of surveillance made easier?\nA. Keeping track of what employees do at "
                      "work\nB. Easing prison overcrowding with electronic tags\nC. Getting at and trading consumers' "
                      "'private' data\nD. Each of the above",
    ("sociology", 5): "Tönnies's idea of gemeinschaft describes essentially the same kind of social relations as "
                      "which concept?\nA. anomie\nB. gesellschaft\nC. mechanical solidarity\nD. organic solidarity",
    ("sociology", 6): "Why did income inequality grow during the 1980s?\n(A) Consumer prices rose faster than "
                      "earnings\n(B) More people relied on welfare benefits as unemployment rose\n(C) Income tax "
                      "went up by the same amount for every occupation\n(D) There were more professional jobs than "
                      "people to fill them",
    ("sociology", 7): "What does it mean for a deviant act to be 'normalized'?\nA. It is blamed on the person's "
                      "genes or anatomy\nB. It is treated as a passing lapse by someone otherwise normal\nC. It marks "
                      "the start of a deviant career\nD. It is seen as a breach of an important behavioural norm",
    ("sociology", 8): "What was John Scott's (1997) position in the 'managerial revolution' debate?\n(A) Owners kept "
                      "control through shareholder groups and interlocking directorships\n(B) Managers, unhappy with "
                      "their conditions, meant to overthrow business owners\n(C) Scientific management was too "
                      "bureaucratic and inefficient\n(D) Owning and managing firms were drifting further apart",
    ("sociology", 9): "How do Marxist feminists account for patriarchy?\nA. Through the twin systems of capitalism and "
                      "male dominance\nB. Through the capitalist economy exploiting women's housework\nC. Through sex "
                      "classes in which men oppress women\nD. Through unequal rights and opportunities for the sexes",
    ("sociology", 10): "Giddens (1998) listed several features of New Labour's 'third way'. Which one is NOT among "
                       "them?\n(A) strengthening civil society\n(B) ending privatization\n(C) democratizing the "
                       "family\n(D) positive welfare, 'a hand up, not a hand-out'",
    ("sociology", 11): "What did anti-psychiatrists such as Laing and Esterson hold?\nA. Odd-seeming behaviour may be "
                       "a reasonable reaction to disturbed family relationships\nB. Psychiatrists pushed ruling-class "
                       "ideology on patients as agents of capitalism\nC. Mental illness is biological, so the "
                       "patient's experience of the mind is not worth studying\nD. Psychiatry is outdated and should "
                       "give way to aromatherapy and kinesiology",

    ("abstract_algebra", 0): "What is the degree of the extension Q(√2, √3, √18) over the rationals?\nA. 2\nB. 4\n"
                             "C. 6\nD. 0",
    ("abstract_algebra", 1): "In the symmetric group S_5, take p = (1, 2, 5, 4)(2, 3). What is the index of the "
                             "subgroup generated by p?\nA. 120\nB. 24\nC. 8\nD. 2",
    ("abstract_algebra", 2): "Over the field Z_5, which elements are roots of x^5 + 3x^3 + x^2 + 2x?\n(A) 0 and 1\n"
                             "(B) 0 and 4\n(C) only 1\n(D) only 0",
    ("abstract_algebra", 3): "Decide whether each statement is true. First: every factor group of a non-Abelian group "
                             "is non-Abelian. Second: a normal subgroup K of H, where H is normal in G, is normal in "
                             "G.\nOptions: True, True / False, False / True, False / False, True",
    ("abstract_algebra", 4): "In the ring Z_8[x], multiply f(x) = 4x - 5 by g(x) = 2x^2 - 4x + 2. What do you get?\n"
                             "A. 0\nB. x^2 + 1\nC. 6x^2 + 4x + 6\nD. 2x^2 + 5",
    ("abstract_algebra", 5): "True or false? (1) A group with an element of order 15 has at least 8 elements of "
                             "order 15. (2) A group with more than 8 elements of order 15 has at least 16 of them.\n"
                             "A. False, True\nB. True, False\nC. False, False\nD. True, True",
    ("abstract_algebra", 6): "Consider: (1) each homomorphic image of a group G is isomorphic to some factor group of "
                             "G; (2) up to isomorphism, the homomorphic images of G are exactly its factor groups. "
                             "Which are true?\nA. both\nB. neither\nC. only the first\nD. only the second",
    ("abstract_algebra", 7): "Evaluate the two statements. Statement 1: a ring homomorphism is injective exactly when "
                             "its kernel is {0}. Statement 2: Q is an ideal of R.\nA. True, True\nB. False, False\n"
                             "C. True, False\nD. False, True",
    ("abstract_algebra", 8): "Over Q, what is the degree of the field extension generated by √2 + √3?\n(A) 6\n(B) 2\n"
                             "(C) 4\n(D) 0",
    ("abstract_algebra", 9): "Find the roots of the polynomial x^3 + 2x + 2 in the finite field Z_7.\nA. 6\nB. 2 and 3"
                             "\nC. 2\nD. 1",
    ("abstract_algebra", 10): "Let H be a subgroup of G. Is it true that (1) |aH| = |Ha| for every a in G, and (2) "
                              "for all a, b in G the cosets aH and Hb are either equal or disjoint?\n"
                              "A. True, True  B. False, False  C. True, False  D. False, True",
    ("abstract_algebra", 11): "For A = {1, 2, 3}, what kind of relation is S = {(1, 1), (2, 2)}?\n(A) an equivalence "
                              "relation\n(B) symmetric but not anti-symmetric\n(C) anti-symmetric but not symmetric\n"
                              "(D) both symmetric and anti-symmetric",

    # Written 2026-12-04 in the manner of a model asked to rephrase an item without altering
    # its meaning (word order and wording changed, the numbers kept much as written), all of
    # them before any was measured. US history: the question without its passage.
    ("gsm8k", 1016): "Mrs. Tatiana runs a grocery store whose fruits and vegetables include carrots. Every year the "
                     "price of carrots there goes up by 5% of the original price. If carrots cost $120 at first, what "
                     "will their price be three years later? (Round to the nearest integer)",
    ("gsm8k", 1017): "Olivia put 72 pictures on Facebook, spreading them equally across 8 albums. Three of those "
                     "albums held only selfies and two held only portraits. How many selfies and portraits did she "
                     "have in total?",
    ("gsm8k", 1018): "Before bed, James needs 10 minutes to get through 3 pages of his book. He reads 18 pages and then "
                     "goes to sleep. How many minutes does he spend reading?",
    ("gsm8k", 1019): "A hotel was fully booked with 100 guests on a busy Saturday morning. 24 of them chose an early "
                     "checkout and 15 a late one. That afternoon, twice as many people as chose late checkout checked "
                     "in, and after dinner 7 more arrived. How many guests are in the hotel now?",
    ("gsm8k", 1020): "On Wednesday John picks 4 bananas, and on Thursday he picks 6. On Friday he picks three times as "
                     "many as he picked on Wednesday. How many bananas does he have?",
    ("gsm8k", 1021): "A quiz has 60 items. 40% of them are easy, and the remaining questions are split equally between "
                     "average and difficult ones. Aries is certain to answer 75% of the easy questions correctly and "
                     "half of the average and difficult ones. How many points can she be sure of?",
    ("gsm8k", 1022): "Teresa prices her large stuffed animals at three times her small ones, and a small one costs $4. "
                     "Today she sold twice as many small stuffed animals as large ones, earning $120. How many small "
                     "ones did she sell?",
    ("gsm8k", 1023): "In one family the father eats 5 sandwiches a day, the mother 4, and their son 2. How many "
                     "sandwiches does the family eat in a week?",
    ("gsm8k", 1024): "Suzanne sold 80 cookies at $1 apiece and 60 cupcakes at $4 apiece, then paid each of her two "
                     "sisters $10 for their help. How much of her earnings is left?",
    ("gsm8k", 1025): "For an Easter egg hunt the team hid 100 eggs. Each of the Smith twins found 30 eggs, and their "
                     "friends found all the remaining eggs but 10. How many eggs did the friends find?",
    ("gsm8k", 1026): "With his bare hands a dwarf can mine 12 pounds of ore a day. An iron pickaxe lets him mine "
                     "twice that, and a steel pickaxe 50% more than the iron one. In a 30-day month, how many pounds "
                     "of ore can 40 dwarves mine with steel pickaxes?",
    ("gsm8k", 1027): "Sandwiches come in three package sizes at a store: 2 sandwiches for $3, 4 for $6, and a package "
                     "of 8 whose price is not shown. If prices are proportional, what does the 8-sandwich package "
                     "cost?",
    ("gsm8k", 1028): "Tom pays $3000 for a bedroom set. He sells his old bedroom for $1000 and puts that toward the new "
                     "set, and then must pay 10% a month on it. What is his monthly payment?",
    ("gsm8k", 1029): "On her way to school Sally held the strings of 25 red, 7 green and 12 yellow balloons. A gust of "
                     "wind burst 40% of the red ones, and the loud noise made her let go of half the yellow ones. Near "
                     "the school she spotted 8 blue balloons stuck in a tree and added 75% of them to the balloons "
                     "she still had. How many balloons did she carry into the school in the end?",
    ("gsm8k", 1030): "Marcus wonders whether he really has to do his homework. There is a 50% chance a substitute "
                     "teacher who won't collect it comes tomorrow. If the usual teacher comes, there is a 40% chance "
                     "she gives the class an extension. And if the class gets no extension, there is a 20% chance "
                     "Marcus can convince her that his dog ate his assignment and get an extension of his own. What "
                     "is the chance, as a percentage, that he will actually have to hand in his homework tomorrow?",
    ("gsm8k", 1031): "This year Apple High School holds its graduation in its Fine Arts Center, which seats 6000 "
                     "people. Once 950 seats are set aside for graduates and 300 for the faculty, how many tickets "
                     "does each graduate get for friends and family if the tickets are shared out equally?",
    ("gsm8k", 1032): "How many jelly beans Grandpa can eat depends on their size. He is full after 75 large jelly "
                     "beans. He can eat twice as many medium beans as large ones, and 3 small beans count the same as "
                     "1 medium bean. How many small beans can he eat?",
    ("gsm8k", 1033): "Melissa is called for jury duty and listens to a court case 6 hours a day for 3 days. She is paid "
                     "$15 a day but pays $3 a day for parking. After expenses, how much does she earn per hour of "
                     "jury duty?",
    ("gsm8k", 1034): "Ted has $200 to start with. He buys 3 books at 16 dollars each and 3 pencils at 6 dollars each. "
                     "How much does he spend altogether?",
    ("gsm8k", 1035): "Richard wants to film a science experiment for an online video: dropping a certain brand of candy "
                     "into diet soda to make a fountain. His driveway is 24 feet wide, and he wants a soda bottle every "
                     "3 feet along it. Beginning at the first bottle, he needs 5 seconds to get from one bottle to the "
                     "next and drop in the candy. How many seconds will it take him in all to set off every fountain?",
    ("gsm8k", 1036): "A box holds forty apples, and Uncle Franky ordered two boxes. He wants to pack the apples eight "
                     "to a pack. How many packs can he make from the two boxes?",
    ("gsm8k", 1037): "Parmesan cheese sells for $11 a pound and mozzarella for $6 a pound. Amor buys 2 pounds of "
                     "Parmesan and 3 pounds of mozzarella. If she had $50 in cash to begin with, how many dollars does "
                     "she have left for meat?",
    ("gsm8k", 1038): "Jim goes to college to make more money. It takes him 4 years, and each year he takes out $50,000 "
                     "in loans. Before college he earned 25k a year, and his degree triples that income. How long "
                     "will it take him to earn back the amount of the loans plus the wages he gave up while in "
                     "school?",
    ("gsm8k", 1039): "Jim is sewing a comforter for his king-sized bed, which is 6 feet long and 8 feet wide. He needs "
                     "two pieces of fabric, each 2 feet longer and 2 feet wider than the bed. How many square feet of "
                     "fabric must he buy?",
    ("gsm8k", 1040): "The post office delivered 425 letters on Monday. On Tuesday it delivered 17 more than a fifth of "
                     "Monday's number, and on Wednesday 5 more than twice Tuesday's. How many letters did it deliver "
                     "from Monday through Wednesday?",
    ("gsm8k", 1041): "Molly is catering her sister's birthday party and has invited 16 people. Ten of them want chicken "
                     "salad at $6.50 a person, and six want pasta salad at $6 a person. How much will Molly pay for "
                     "the catering in total?",
    ("gsm8k", 1042): "Johnny's dad took him to the horse races and placed some bets. He lost $5 on the first race. On "
                     "the second he won $1 more than twice what he had lost, and on the third he lost 1.5 times what "
                     "he won on the second. On average, how much did he lose that day?",
    ("gsm8k", 1043): "South America has 26 countries, each with 5 cities of 1000 people. If everyone lives in these "
                     "cities, what is the population of South America?",
    ("gsm8k", 1044): "On the first day of school Ava notices that her friends Cole and Xavier grew a lot over the "
                     "summer. Xavier, who was 4 feet tall, grew 3 inches, and Cole, who was 50 inches tall, grew 2 "
                     "inches. What is the difference in their heights now?",
    ("gsm8k", 1045): "Three people shared $1920. The second person got $80 more than the first, and the third got "
                     "twice as much as the second. What was the first person's share?",

    # The third GSM8K set, written 2026-12-04 before any of it was measured: items 1046 to
    # 1075, rephrased as a model asked to reword a problem without changing its meaning does.
    ("gsm8k", 1046): "Four painters spent 3/8ths of a day working on a mansion, every day for 3 weeks. How many hours "
                     "of work did each of them put in?",
    ("gsm8k", 1047): "After a tennis match, Rory collects the balls from the court. In the first of the three sets he "
                     "picked up four more balls than in the second, and in the third set half as many as in the "
                     "second. Altogether he picked up 19 balls. How many did he pick up in the first set?",
    ("gsm8k", 1048): "In 2007 Ben paid $20000 for a car. Its value falls at a steady 21% per year. What is the car "
                     "worth in 2010?",
    ("gsm8k", 1049): "A small library holds 50 books. Half are in English and 10% are in German; the rest are in "
                     "Spanish. How many books are in Spanish?",
    ("gsm8k", 1050): "The distance from San Diego, California to New York City, New York is about 1955 kilometers. "
                     "Bernice has driven 325 kilometers a day for 4 days. How many kilometers does she have left?",
    ("gsm8k", 1051): "Every day Ingrid drinks 8 cups of water. A gallon holds 16 cups. How many gallons of water does "
                     "she drink over 30 days?",
    ("gsm8k", 1052): "Romeo gets on a train carrying 120 people. At the first stop 20 more people get on. At the "
                     "second stop 50 people get off and twice as many get on. At the third station 80 more people get "
                     "off. How many people are on the train at the last stop?",
    ("gsm8k", 1053): "Having made the running team, Alison went to buy athletic gear: a tank top for $10, running "
                     "shorts that cost $5 more than the top, and tennis shoes originally $48 but on sale at half price. "
                     "She also bought an $8 pack of athletic socks, for which she had a $2-off coupon. How much did she "
                     "spend in all?",
    ("gsm8k", 1054): "The floor of my kitchen measures 200 SqFt in total. I'd like to lay new square tiles, each 1ft on "
                     "a side and costing $12 apiece. What will it cost to redo the kitchen floor?",
    ("gsm8k", 1055): "James needs insurance, and because of an accident he had, it costs 60% more than usual. The usual "
                     "price is $120 per month. How much does he pay per year?",
    ("gsm8k", 1056): "Each week Greg changes the sheets on 4 twin beds and 1 king size bed. His washing machine can take "
                     "only 2 twin sets of sheets at once, or 1 king set at once. How many loads of laundry does he run "
                     "in a year?",
    ("gsm8k", 1057): "Every Saturday Jill and her friends watch 4 movies, and on Sunday they watch half as many as on "
                     "Saturday. If they do this every weekend, how many movies can they watch in 4 weeks?",
    ("gsm8k", 1058): "Leo is a sticker collector. Two years ago his collection held 100 stickers. Last year he added 50, "
                     "and this year he added twice as many as the year before. How many stickers are in his collection "
                     "now?",
    ("gsm8k", 1059): "Imma owns 3 cats and feeds them 60 grams of cat food twice a day. For how many days will 720 grams "
                     "of cat food last?",
    ("gsm8k", 1060): "Becky, Jake and Silvia split 4 pizzas of 8 slices each. Becky had 3 slices more than Jake, and "
                     "Silvia had twice as many slices as Jake. If Becky had 10 slices, how many slices did the three of "
                     "them eat in total?",
    ("gsm8k", 1061): "Betsy and Donovan cooked a meal together, which took 98 minutes. Betsy's share of the work took 18 "
                     "minutes longer than Donovan's. How many minutes did Betsy's part take?",
    ("gsm8k", 1062): "Hannah breaks her arm slipping on a banana peel. The doctor bills her $200 for the cast, $300/hour "
                     "for a visit of 30 minutes and $4/pill for 30 painkillers, and parking costs $6/hour with a "
                     "required minimum of 2 hours. What is the total cost of the visit?",
    ("gsm8k", 1063): "James receives 80 emails each day. 20% of them need no reply, and he answers all the others. How "
                     "many emails does he answer in a 5 day work week?",
    ("gsm8k", 1064): "Last week the Science Center had field trips from Monday to Friday. 32 classes came on Monday, "
                     "twice as many on Tuesday and three times as many on Wednesday. On Thursday another 30 classes "
                     "came, and on Friday 25. How many classes visited the Science Center in total last week?",
    ("gsm8k", 1065): "John got 100 on each of his first 3 tests and 80 on the 4th. What is his average over the 4 "
                     "tests?",
    ("gsm8k", 1066): "The glee club bought 20 pizzas and ate 70% of them. The football team bought twice as many pizzas "
                     "and ate 80% of theirs. How many pizzas remain?",
    ("gsm8k", 1067): "Anthony is mailing coupons for his pizza parlor: 700 small coupons and twice that many big ones. "
                     "Mailing a small coupon costs 5 cents and a big one 15 cents. What does he spend on postage in "
                     "all?",
    ("gsm8k", 1068): "Each meatball sub sandwich has 4 meatballs in it. Sidney ordered three fewer than ten sub "
                     "sandwiches, then Mark ate 4 of them, so Sidney ordered three more. How many meatballs are in the "
                     "sandwiches that are left?",
    ("gsm8k", 1069): "On a particular day Mr Hezekiah sent out 20 trucks from his store to deliver fertiliser to "
                     "farmers in his hometown, each carrying 20 tons of fertiliser in bags. Two hours after they left, "
                     "he learned that a quarter of the lorries had broken down on the road and could not deliver. How "
                     "many tons of fertiliser reached the farmers that day?",
    ("gsm8k", 1070): "For every dozen croissants he bakes, Dennis uses 1 pound of butter, and he has to bake 6 dozen. "
                     "The grocery store is running a buy one pound, get one half off promotion on butter, which costs "
                     "$4.00 a pound. What will 6 pounds of butter cost him?",
    ("gsm8k", 1071): "Kayla is holding her birthday party at a movie theater, which charges $125 for a party of 20 plus "
                     "$6 for every extra guest. She invited her 25 classmates, the 7 girls from her dance class and 13 "
                     "family members, and 4 people said they couldn't come. What will the party cost?",
    ("gsm8k", 1072): "Maggie and Riza each had $60. Maggie spent a quarter of hers and Riza spent one-third of hers. How "
                     "much money do they have left between them?",
    ("gsm8k", 1073): "Mr. Robles buys 315 bananas, enough to feed his three monkeys for a week. The first monkey eats 10 "
                     "bananas a day, the second eats 4 more than the first, and the third eats the rest of each day's "
                     "bananas. How many bananas does the third monkey eat per day?",
    ("gsm8k", 1074): "Within one hour, Teddy finished half of a 500 piece puzzle and then started and completed another "
                     "500 piece puzzle. How many puzzle pieces did he place in that hour?",
    ("gsm8k", 1075): "Jenny goes to a florist for flowers. Roses are $2 each or $15 for a dozen. She buys 15 roses, "
                     "pays with five 5 dollar bills, and the shop only has quarters for change. How many quarters does "
                     "she leave with?",

    # A fourth GSM8K set, written 2026-12-04 before any of it was measured, after verifier
    # v17 (which reads the operations a question names): items that name one in words ("add",
    # "divided", "minus"), 609 to 796 and 1100 to 1245, paraphrased as the others were.
    ("gsm8k", 609): "Juan is putting croissants on his bakery's menu. One dozen croissants take a quarter pound of "
                    "butter, and he plans to bake 4 dozen every day for a week to start. How much butter, in pounds, "
                    "does he need?",
    ("gsm8k", 640): "Bill is buying a two-ton truck whose base price is $30,000, with extras: a king cab for $7,500, "
                    "leather seats costing a third as much as the king cab, running boards $500 cheaper than the "
                    "seats, a towing package, and an exterior light package for $1500. What does the truck cost in "
                    "total, in dollars?",
    ("gsm8k", 645): "Each bag of flour is split into 8 portions weighing 2 kilograms apiece. Before splitting, how "
                    "many kilograms of flour were in three bags altogether?",
    ("gsm8k", 666): "Aurelia has $120. Kassidy has 3/4 as much money as Aurelia, and Rayna has $60 more than Kassidy. "
                    "If they pooled their money and shared it equally, how much would each of them get?",
    ("gsm8k", 682): "Shania lengthens a dress she is designing by 50% of its original length and then sews 20cm of "
                    "lace trim onto the bottom. The finished dress measures 140cm. How long was the original design, "
                    "in centimeters?",
    ("gsm8k", 704): "Gerald and Julia split $100 in a 3:2 ratio. Gerald then spends $10 on a book. How much money "
                    "does he have left?",
    ("gsm8k", 743): "A plate held 2 slices of cake and Mara put 3 more on it. Getting hungrier, she tripled the "
                    "number of slices, then ate 2, and while she wasn't looking a friend took 5 slices. How many "
                    "slices are left on the plate?",
    ("gsm8k", 751): "Gunther the gorilla had hidden 48 bananas under a fern. Arnold the chimpanzee stole half of them "
                    "while he wasn't looking. The next day Gunther added 25 bananas to the pile, but that evening "
                    "Arnold took 12 more. On the third day Gunther put 6 more on the pile and counted them. How many "
                    "bananas did he count?",
    ("gsm8k", 752): "Jenna lives with 4 roommates, and the monthly electricity bill of $100 is shared equally among "
                    "them. How much does each roommate pay for electricity in a year?",
    ("gsm8k", 772): "Tatiana has 7 hours free on Saturday and 5 on Sunday, which she divides between soccer, video "
                    "games and reading. She reads for 3 hours and spends a third of the remaining time on video games. "
                    "What percentage of her weekend goes to soccer?",
    ("gsm8k", 783): "Bob's pond held 7 fish, 3 orange and 4 white. At the pet store a sales assistant scooped 17 fish "
                    "for him from a tank of white and orange fish. Once they were in his pond, he had twice as many "
                    "orange fish as white ones. How many of the fish he bought were white?",
    ("gsm8k", 796): "A company starts with 200 employees and its HR department hires 20 more each month. Every "
                    "employee earns $4000 a month. How much does the company pay its employees in total over three "
                    "months?",
    ("gsm8k", 1100): "Every day at the office Bobby has a 30-minute lunch and two 15-minute breaks. Over 5 days, how "
                     "many hours do his lunches and breaks come to?",
    ("gsm8k", 1106): "Marty cuts 100 centimeters of ribbon into 4 equal pieces, then cuts each piece into 5 equal "
                     "parts. How long is each of the final pieces?",
    ("gsm8k", 1119): "Amalia, Megan and Dior shared out the household chores. Amalia mowed the lawn in 4 hours, Megan "
                     "walked the dog, which took her 2 hours longer than Amalia, and Dior did the laundry, which took "
                     "her 4 hours longer than Amalia's mowing. How much time did the three of them spend on chores in "
                     "all?",
    ("gsm8k", 1153): "At the beach Jim collected 27 seashells, 5 more than Carlos, and Carlos collected twice as many "
                     "as Carrey. They put all the shells together and split them equally among the three of them. How "
                     "many shells did each one get?",
    ("gsm8k", 1204): "Twenty tourists found 700 shells in a strip mall parking lot, searching in three teams: Alphas, "
                     "The finders and Gogetters. The Alphas found 40% of the shells and The finders 60% of what was "
                     "left. How many shells did the Gogetters find?",
    ("gsm8k", 1221): "For each pound of ground beef, Aiden uses two tablespoons of his secret steakhouse seasoning, and "
                     "a pound makes sixteen meatballs. How much seasoning does he need to make 80 meatballs for a "
                     "neighborhood cookout?",
    ("gsm8k", 1226): "A manicure costs $35 and a pedicure $40, and a salon gives 20% off when you get both. Karen gets "
                     "both plus nail art on each of her fingers at $3 per nail. What is her total bill?",
    ("gsm8k", 1245): "For a cocktail party, Mary freezes fruit into ice cubes: some strawberry cubes, and blueberry "
                     "cubes numbering 4 fewer than five times the strawberry ones. She makes 116 cubes in total. How "
                     "many are blueberry?",

    # A fifth GSM8K set, written 2026-12-04 before any of it was measured, after verifier v19:
    # 20 items drawn at random (random.Random(45) among those not yet paraphrased),
    # paraphrased as the others were.
    ("gsm8k", 22): "On Tuesday Billy had 8 customers for his DVDs. The first 3 bought a DVD apiece, the following 2 "
                   "bought 2 DVDs apiece, and the final 3 bought nothing. How many DVDs did Billy sell that day?",
    ("gsm8k", 44): "Charlie plans to sell beeswax candles. Each pound of beeswax makes 10 tapered candles, and a pound "
                   "of beeswax together with the wicks costs $10 in supplies. Selling every candle at $2, what net "
                   "profit does he make on 20 candles made and sold?",
    ("gsm8k", 73): "Shiela purchased five cell phones at $150 apiece on a 3-month installment plan, with 2% interest "
                   "charged on each unit. What is her monthly payment over the 3 months?",
    ("gsm8k", 136): "Only 27 unicorns remain in the world, and a third of them live in the Scottish Highlands. If two "
                    "thirds of the Scottish unicorns are female, how many female unicorns are there in Scotland?",
    ("gsm8k", 148): "At the museum, admission is $12 for an adult and $10 for a child. Brittany's mom pays for one "
                    "adult and one child ticket and gets $8 back in change. How many dollars did she hand the "
                    "cashier?",
    ("gsm8k", 167): "Seth's age is double Brooke's. Two years from now their ages will add up to 28. What is Seth's "
                    "age?",
    ("gsm8k", 235): "John is ordering pizza for 20 friends in all, and he wants each of them to get 4 slices. Every "
                    "pizza comes cut into 8 slices. How many pizzas should he order?",
    ("gsm8k", 241): "Dolly owns two books and Pandora owns one. If each of them reads her own books and the other's "
                    "too, how many books will the two read altogether?",
    ("gsm8k", 276): "Of Carly's 80 cards, 2/5 show the letter A. Half of the remaining cards show B, 5/8 of the cards "
                    "left after that show C, and the rest show D. How many cards show the letter D?",
    ("gsm8k", 315): "Martha is throwing a Christmas party and invites 2 families of 6 and 3 families of 4. Illness "
                    "keeps 8 people away, and a quarter of that number had other commitments. How many people come "
                    "to her party?",
    ("gsm8k", 432): "With his mighty sword Prince Thaddeus killed 100 dragons. Prince Arthur, wielding a spear, killed "
                    "three quarters as many as Thaddeus. Prince Walter, with a rusty iron axe, killed twice as many "
                    "as Arthur. And Prince Bruce, who left his sword at home and used a nail file, killed one-fifth "
                    "as many as Walter. How many dragons did Prince Bruce kill?",
    ("gsm8k", 527): "One person takes 5 days to paint half a house. How many hours would 5 people need to paint an "
                    "entire house?",
    ("gsm8k", 556): "At Subway you pay $40 for a foot-long fish sub and three times that for a six-inch cold-cut combo "
                    "sub. What does lunch cost you today?",
    ("gsm8k", 581): "This weekend Max will watch two movies: the first runs 1 hour 30 minutes and the second 2 hours 5 "
                    "minutes. How many minutes will watching both take him?",
    ("gsm8k", 621): "After hurting his back, John went to physical therapy for 6 weeks, twice a week, 2 hours per "
                    "session. At $125 an hour, how much did his therapy cost?",
    ("gsm8k", 638): "At a grocery store, 4 apples sell for $5.20 and 3 oranges for $3.30. What will Clyde pay for 5 "
                    "apples plus 5 oranges?",
    ("gsm8k", 698): "Greta earns a $2400 paycheck. Half of it, 50%, goes into her retirement account, and 20% of the "
                    "paycheck pays her monthly car payment. How much does she have left to spend after those two?",
    ("gsm8k", 867): "Daisy bought a 5-pound bag of potatoes, a bag of sweet potatoes weighing 2 times as much as the "
                    "potatoes, and a bag of carrots weighing 3 pounds less than the sweet potatoes. How many pounds "
                    "of carrots did she buy?",
    ("gsm8k", 1079): "Mr. Rogers bought a $2000 watch on sale for 75% of its original price, then sold it to a friend "
                     "for 120% of what he had paid. By what percentage below the original price did the friend "
                     "buy it?",
    ("gsm8k", 1087): "A farmer bales hay at 5 bales an hour while a truck collects 3 bales an hour. After a 6 hour day "
                     "for both the farmer and the truck driver, how many bales are still in the field?",

    ("high_school_us_history", 0): "How did the United States come to possess the Oregon Territory?\nA. France "
                                   "granted it to the United States in a treaty after a war.\nB. The United States "
                                   "purchased it from the Native Americans living there.\nC. American settlers got "
                                   "there first and claimed it for their country.\nD. Great Britain gave it up to the "
                                   "United States in a negotiated treaty.",
    ("high_school_us_history", 1): "As a result of William Penn's Charter of Privileges, Pennsylvania became\n(A) "
                                   "among the least religiously diverse colonies in America.\n(B) among the most "
                                   "religiously diverse colonies in British America.\n(C) known for its hostility "
                                   "toward traditional religious practice.\n(D) infamous for witch hunts and popular "
                                   "superstition.",
    ("high_school_us_history", 2): "The desegregation of schools was partly a response to promises left unfulfilled "
                                   "by which initiative?\nA. Reconstruction\nB. The New Deal\nC. The Square Deal\n"
                                   "D. The Great Society",
    ("high_school_us_history", 3): "Which of these legislative acts best exemplifies nativism?\nA. The Espionage Act "
                                   "of 1917\nB. The Alien and Sedition Acts of 1798\nC. The Immigration and "
                                   "Nationality Act of 1965\nD. The Wagner Act of 1935",
    ("high_school_us_history", 4): "How did President Franklin D. Roosevelt respond to political challenges such as "
                                   "Senator Huey Long's?\nA. He pushed Congress to lower taxes and deregulate the "
                                   "economy\nB. He let the Japanese bomb Pearl Harbor to divert people's attention\n"
                                   "C. He launched the Second New Deal, a set of laws that included Social Security\n"
                                   "D. He announced he would not seek re-election",
    ("high_school_us_history", 5): "Which development in the wider society of the late 1800s do the song \"The "
                                   "Hayseed\" and its movement highlight?\n(A) Frontier skirmishes with American "
                                   "Indians in the 1890s left western farmers fearful and bitter.\n(B) Government "
                                   "corruption, above all where it touched big business, spurred the public to demand "
                                   "more popular control and reform of local, state and national government.\n(C) "
                                   "The two-party system collapsed, and a new major party won control of Congress "
                                   "within ten years of its founding.\n(D) A broad movement of struggling Black and "
                                   "white farmers and urban factory workers gained great leverage over federal "
                                   "legislation.",
    ("high_school_us_history", 6): "What is the most accurate statement about political parties in the early "
                                   "United States?\nA. Washington cautioned against the influence of parties, yet "
                                   "reluctantly accepted the Federalist party's endorsement.\nB. Ongoing debates over "
                                   "states' rights and rival economic interests after the Constitution was drafted "
                                   "gave rise to parties such as the Federalists and the Democratic-Republicans.\nC. "
                                   "Two major parties dominated early presidential elections until John Quincy Adams "
                                   "founded the Whig party in 1824.\nD. Parties did not exist until the War of 1812, "
                                   "when the Federalists took control of foreign policy toward France and Britain.",
    ("high_school_us_history", 7): "What would most likely have motivated a settlement house worker?\n(A) support "
                                   "for an urban political machine\n(B) Communism\n(C) the Social Gospel\n(D) Social "
                                   "Darwinism",
    ("high_school_us_history", 8): "In what way did Lincoln's Emancipation Proclamation change the course of the "
                                   "Civil War?\nA. The war aims of the United States no longer centred only on "
                                   "preserving the Union.\nB. Confederate President Jefferson Davis pledged massive "
                                   "resistance to any Union attempt to free the slaves.\nC. The Proclamation brought "
                                   "Great Britain into the war on the Union side, widening it.\nD. The war ended "
                                   "quickly once the Proclamation showed the Confederacy its cause was hopeless.",
    ("high_school_us_history", 9): "Which statement best describes the economic consequences of the declaration of "
                                   "war that Roosevelt announced on December 8, 1941?\nA. Japan later had to pay the "
                                   "United States reparations, which plunged it into a long depression.\nB. With Asia "
                                   "and Europe ravaged by war, the United States emerged as one of the most prosperous "
                                   "nations on Earth.\nC. Reduced trade with Asian nations brought on recession in "
                                   "the United States and in Europe.\nD. Cold War tensions isolated the Soviet and "
                                   "American economies, and both nations struggled.",
    ("high_school_us_history", 10): "Passing and enforcing Pennsylvania's 1826 law reflected a continuing conflict "
                                    "between\n(A) federal law and state law.\n(B) supporters and opponents of "
                                    "government regulation of commerce.\n(C) rural and urban interests.\n(D) those "
                                    "who wanted gradual emancipation and those who wanted it immediately.",
    ("high_school_us_history", 11): "Which option best expresses the principle O'Sullivan describes in \"The Great "
                                    "Nation of Futurity\"?\nA. Slavery in the United States was bound to be abolished "
                                    "because it was immoral.\nB. The distance between the New World and England "
                                    "destined the colonists to leave the British Empire.\nC. Women are biologically "
                                    "destined to lives of child rearing and housework.\nD. America's expansion to "
                                    "the West Coast was inevitable and sanctioned by God.",
    # The second set, written 2026-12-04 before any of it was measured: items 12 to 27 of each
    # subject, rephrased as a model asked to reword a question without changing its meaning
    # does (the US history ones without their passage, some naming its author).
    ("abstract_algebra", 12): "What is the order of the quotient group (Z_11 x Z_15)/<(1, 1)>?\n(A) 11\n(B) 5\n(C) 2\n(D) 1",
    ("abstract_algebra", 13): "In Z_7[x], the polynomial x^3 + 2x^2 + 2x + 1 splits into linear factors. Which "
                              "factorization is the right one?\nA. (x + 1)(x + 4)(x - 2)\nB. (x + 1)(x - 4)(x - 2)\nC. "
                              "(x - 2)(x + 2)(x - 1)\nD. (x - 1)(x - 4)(x - 2)",
    ("abstract_algebra", 14): "For n = 10, what is the largest order that an element of the symmetric group S_n can "
                              "have?\nA. 6\nB. 12\nC. 30\nD. 105",
    ("abstract_algebra", 15): "Decide whether each statement is true. First: R is the splitting field of some polynomial "
                              "over Q. Second: some field has exactly 60 elements.\nA. Both true\nB. Both false\nC. "
                              "The first true, the second false\nD. The first false, the second true",
    ("abstract_algebra", 16): "In the multiplicative group {1, -1, i, -i}, which element is the inverse of -i?\n"
                              "(A) -i\n(B) i\n(C) -1\n(D) 1",
    ("abstract_algebra", 17): "Working in the ring Z_5 x Z_9, calculate the product (2,3)(3,5).\nA) (1,1)\nB) (3,1)\n"
                              "C) (1,6)\nD) (3,6)",
    ("abstract_algebra", 18): "Why do the real numbers fail to form a group under ordinary multiplication?\nA. "
                              "Multiplication isn't a binary operation\nB. Multiplication isn't associative\nC. There "
                              "is no identity element\nD. Zero does not have an inverse",
    ("abstract_algebra", 19): "Statement 1: Any group whose order is p^2, with p a prime, is abelian. Statement 2: For "
                              "a fixed prime p, a Sylow p-subgroup of a group G is normal in G exactly when it is the "
                              "unique Sylow p-subgroup of G.\nA. True, True\nB. False, False\nC. True, False\nD. "
                              "False, True",
    ("abstract_algebra", 20): "Statement 1: For finite groups G and H, the internal direct product G + H has order "
                              "|G||H|. Statement 2: When r divides m and s divides n, Z_m + Z_n contains a subgroup "
                              "isomorphic to Z_r + Z_s.\n(A) False, True\n(B) True, False\n(C) False, False\n(D) True, "
                              "True",
    ("abstract_algebra", 21): "In the polynomial ring Z_8[x], add f(x) = 4x - 5 and g(x) = 2x^2 - 4x + 2. What is the "
                              "sum?\nA. 2x^2 + 5\nB. 6x^2 + 4x + 6\nC. 0\nD. x^2 + 1",
    ("abstract_algebra", 22): "Statement 1: In R^2, every set of two vectors is linearly independent. Statement 2: If "
                              "V = span(v1, ..., vk) and the vectors {v1, ..., vk} are linearly independent, then V "
                              "has dimension k.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 23): "Under multiplication of complex numbers, what structure do the nth roots of unity "
                              "form?\nA. a semigroup with identity\nB. a commutative semigroup with identity\nC. a "
                              "group\nD. an abelian group",
    ("abstract_algebra", 24): "Statement 1: A maximal ideal is always a prime ideal. Statement 2: For a maximal ideal I "
                              "of a commutative ring R, the quotient R/I is a field.\n(A) True, True\n(B) False, "
                              "False\n(C) True, False\n(D) False, True",
    ("abstract_algebra", 25): "Let G be the set of all non-singular n x n matrices whose entries are rational numbers. "
                              "Under matrix multiplication, G is\nA. a subgroup\nB. a finite abelian group\nC. an "
                              "infinite, non-abelian group\nD. an infinite, abelian group",
    ("abstract_algebra", 26): "Statement 1: Each group of order 42 contains a normal subgroup of order 7. Statement 2: "
                              "Each group of order 42 contains a normal subgroup of order 8.\nA. True, True\nB. False, "
                              "False\nC. True, False\nD. False, True",
    ("abstract_algebra", 27): "Does the polynomial 8x^3 + 6x^2 - 9x + 24 in Z[x] meet Eisenstein's criterion for "
                              "irreducibility over Q, and for which prime?\nA. Yes, p = 2\nB. Yes, p = 3\nC. Yes, p = "
                              "5\nD. No",

    ("sociology", 12): "According to Butler and Stokes (1969), what explained the working class's support for the "
                       "Labour Party?\nA. Being socialised into working-class families and communities\nB. A rational "
                       "calculation of their own interests\nC. Concerns about cultural and lifestyle issues\nD. False "
                       "consciousness and accepting hegemonic values",
    ("sociology", 13): "How are social institutions best described in today's societies?\n(A) As highly specialised, "
                       "interconnected sets of social practices\n(B) As disorganised social relations in a postmodern "
                       "world\n(C) As virtual communities in cyberspace\n(D) As no longer relevant to sociology",
    ("sociology", 14): "What does Hochschild (1983) mean by 'emotion work'?\nA. The techniques people use to "
                       "consciously manage and display the emotions considered appropriate in public interaction\nB. "
                       "The work of psychologists, counsellors and therapists who help clients with mental and "
                       "emotional problems\nC. Experiences such as grief and falling in love that demand a great deal "
                       "of emotional energy\nD. How rising risk and anxiety have made us think more reflexively about "
                       "our self-identities",
    ("sociology", 15): "What do sociologists call the study of the layered structure of society and of how people "
                       "move between its layers?\nA. Social control\nB. Social stratification\nC. Social solidarity\n"
                       "D. Social conflict",
    ("sociology", 16): "Weber distinguished four ideal types of social action: instrumentally rational, value-"
                       "rational, traditional and which other?\n(A) affective\n(B) affectual\n(C) infected\n(D) "
                       "effective",
    ("sociology", 17): "Which of these defines an ecclesia?\nA. A religious organisation claiming total spiritual "
                       "authority over its members\nB. A church based on voluntary rather than compulsory membership\n"
                       "C. A sect or cult with a very small following\nD. A hierarchy of priests or other spiritual "
                       "leaders",
    ("sociology", 18): "Once slavery had been abolished in the USA and the British Empire, what did policy makers "
                       "claim former slaves moving to these cities would experience?\nA. compensation\nB. "
                       "discrimination\nC. adaptation\nD. assimilation",
    ("sociology", 19): "What did Sutherland's study of the 'professional thief' suggest?\nA. People are socialised "
                       "into crime by associating with others who see it in a positive light\nB. Most crime is "
                       "committed by middle-class people in professional jobs\nC. Those arrested and charged with "
                       "theft did not see themselves as thieves\nD. The most dangerous criminals on the streets were "
                       "highly skilled thieves",
    ("sociology", 20): "Which of these policies did the New Labour government NOT pursue?\nA. Setting and streaming "
                       "pupils by ability\nB. Letting parents choose their child's school\nC. Supporting LEAs that "
                       "seemed to be failing\nD. State regulation and control of the curriculum",
    ("sociology", 21): "According to Stone's research, what was happening to the nuclear family before "
                       "industrialisation?\n(A) It did not exist in any form\n(B) It had started to disappear as "
                       "wider networks of kin became more important\n(C) It had started to emerge as work and home "
                       "life separated\n(D) It was just another institution of patriarchal control",
    ("sociology", 22): "Figures on rural, suburban and urban development and mobility are nearly always reported by "
                       "Metropolitan Statistical Area (MSA). What makes up an MSA?\nA. Only the 10 largest cities in "
                       "the United States\nB. At least one central city of 50,000 people or more, together with the "
                       "densely urbanized counties around it\nC. An area hit by strong storms for at least half of the "
                       "year\nD. A large city of at least 1 million people immediately surrounded by suburbs",
    ("sociology", 23): "How did Mosca and Pareto characterise the ruling elite?\nA. As a minority filling all the top "
                       "positions of political authority\nB. As a coalition of social forces with particular skills and "
                       "abilities\nC. As a group that circulates between high-status positions and shuts others out\n"
                       "D. All of these",
    ("sociology", 24): "To what did Bourdieu attribute the way class reproduces itself?\nA. capital culture\nB. "
                       "cultural capital\nC. culpable capture\nD. cults of the capital",
    ("sociology", 25): "Which two related ideas make up secularization?\n(A) disbelief and disintegration\n(B) "
                       "disappointment and disproportion\n(C) distribution and distillation\n(D) disengagement and "
                       "disenchantment",
    ("sociology", 26): "Why did the general fertility rate drop between 1964 and 2000?\nA. People married later and "
                       "started having children at an older age\nB. There were fewer women of childbearing age than in "
                       "the first half of the century\nC. Birth rates were measured and recorded wrongly\nD. Poverty, "
                       "poor housing and bad sanitation raised the risk of disease",
    ("sociology", 27): "What did Howard's garden city idea involve?\nA. Six small towns ringed by green belts and "
                       "linked to a bigger central city\nB. Cities planned with plenty of trees, flowers and public "
                       "gardens\nC. Every privately owned house having its own front and back garden\nD. Tower blocks "
                       "housing people vertically so that most land stays free as green open space",

    ("high_school_us_history", 12): "In his 1652 tract, Roger Williams describes the Puritans' view of religious "
                                    "freedom. To whom did the Puritans think that freedom should extend?\nA. Only "
                                    "Puritans\nB. Only Protestants\nC. Only Christians\nD. Only Jews and Christians",
    ("high_school_us_history", 13): "During the 1980s, which of these would the ideas in Geraldine Ferraro's 1984 "
                                    "acceptance address most directly have strengthened?\nA. Efforts to deregulate many "
                                    "industries\nB. Opposition to the administration's arms buildup\nC. Support for the "
                                    "administration's Cold War policies\nD. Efforts to reform the welfare system",
    ("high_school_us_history", 14): "Which statement best captures Logan's point of view in the passage?\nA. Logan "
                                    "thinks British settlement must be halted\nB. Logan mourns the loss of his family\n"
                                    "C. Logan is against a new peace treaty\nD. Logan thinks Indians must find "
                                    "strength by uniting",
    ("high_school_us_history", 15): "What did Kennedy's September 1962 speech most directly lead to?\n(A) The Apollo "
                                    "space program\n(B) The Vietnam War\n(C) The Great Society programs\n(D) The "
                                    "nuclear strategy of Mutually Assured Destruction (MAD)",
    ("high_school_us_history", 16): "What did the situation Carter described in his 1980 State of the Union address "
                                    "most directly lead to?\nA. The founding of NATO\nB. Carter losing the next "
                                    "presidential election\nC. A U.S. invasion in the Middle East\nD. Carter winning "
                                    "the next presidential election",
    ("high_school_us_history", 17): "In the third excerpt, Representative Conyers points to \"Wounded Knee\" as an "
                                    "example of what?\nA. A violent cult\nB. The federal government misusing its "
                                    "power\nC. The site of a bombing\nD. A recent clash between federal agents and "
                                    "Lakota Indians",
    ("high_school_us_history", 18): "The debate and conflict over Pennsylvania's 1826 law show that the framers of "
                                    "the Constitution had\nA. declared that slavery would be protected \"in "
                                    "perpetuity\" in the original 13 states.\nB. let a state exempt itself from "
                                    "federal laws that contradicted its constitution.\nC. put off solving the "
                                    "problems of slavery.\nD. declared that slaves could be both citizens and "
                                    "property.",
    ("high_school_us_history", 19): "Which of these did NOT add to the federal government's power during World War "
                                    "I?\nA. The Dawes Plan\nB. The Espionage Act\nC. The Food Administration\nD. The "
                                    "War Industries Board",
    ("high_school_us_history", 20): "Which statement best reflects William Bradford's perspective in the passage from "
                                    "History of Plymouth Plantation?\nA. The only good Indian is a dead Indian.\nB. "
                                    "America's native peoples must be converted to Christianity.\nC. Native Americans "
                                    "should be incorporated into the new colony.\nD. Surprise that Native Americans "
                                    "could learn English and act as cultural go-betweens.",
    ("high_school_us_history", 21): "What did Alexander Hamilton see as a source of the problems described in the "
                                    "excerpt from Federalist No. 15?\nA. Class divisions among Americans that kept them "
                                    "from forming a unified vision\nB. Policy-makers' failure to give up mercantilism "
                                    "for laissez-faire trade\nC. A weak central government lacking the powers to deal "
                                    "with pressing issues\nD. Americans' unhealthy obsession with religion and "
                                    "personal salvation at the expense of practical national problems",
    ("high_school_us_history", 22): "What did the political movement built around sentiments like those in the song's "
                                    "lyrics accomplish?\nA. A minimum wage law\nB. Laws regulating the railroads\nC. "
                                    "Moving U.S. currency from the gold standard to silver\nD. A system of price "
                                    "supports for small farmers",
    ("high_school_us_history", 23): "The conflict John Kerry describes most likely resulted from which doctrine?\n"
                                    "(A) Containment\n(B) Isolationism\n(C) Imperialism\n(D) Big-stick diplomacy",
    ("high_school_us_history", 24): "In the passage, what is Coolidge reacting against?\nA. His predecessor Warren G. "
                                    "Harding's economic policies\nB. Radical politics growing stronger in America after "
                                    "the Russian Revolution\nC. Populist agitation in the West\nD. The government "
                                    "policies of the Progressive Era",
    ("high_school_us_history", 25): "Which president would most likely have agreed with Coolidge's views?\nA. Ronald "
                                    "Reagan\nB. Franklin D. Roosevelt\nC. Barack Obama\nD. Lyndon B. Johnson",
    ("high_school_us_history", 26): "Through settlement houses such as Hull House, what did reformers want to do?\nA. "
                                    "Convert immigrants to Christianity\nB. Head off political radicalism\nC. Supply "
                                    "cheap labor to industry\nD. Improve living conditions in city neighborhoods",
    ("high_school_us_history", 27): "Which change in westward migration most likely happened in the 1840s?\nA. Fewer "
                                    "pioneers headed for Oregon while far more headed for California.\nB. The first "
                                    "great wave of migration ended and migration stayed very low until after the "
                                    "Civil War.\nC. Pioneers settled west of the Mississippi for the first time.\nD. "
                                    "Many free Black people, unwelcome in the East, resettled in the West.",


    # The third abstract algebra set, written 2026-12-04 before any of it was measured: items
    # 28 to 43, rephrased as the second set was.
    ("abstract_algebra", 28): "Statement 1: Under a homomorphism, the image of a group with 6 elements can have 12 "
                              "elements. Statement 2: Some group with 6 elements has a homomorphism into some group "
                              "with 12 elements.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 29): "Statement 1: A homomorphic image of a cyclic group is always cyclic. Statement 2: A "
                              "homomorphic image of an Abelian group is always Abelian.\n(A) True, True\n(B) False, "
                              "False\n(C) True, False\n(D) False, True",
    ("abstract_algebra", 30): "Statement 1: For a subgroup H of a group G and any a in G, aH = Ha. Statement 2: For a "
                              "normal subgroup H of G and any a in G, ah = ha for every h in H.\nA. True, True\nB. "
                              "False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 31): "Suppose (G, .) is a group in which (ab)^-1 = a^-1b^-1 for all a, b in G. What kind of "
                              "group is G?\nA. a commutative semigroup\nB. an abelian group\nC. a non-abelian group\nD. "
                              "none of these",
    ("abstract_algebra", 32): "Statement 1: Every linearly independent set of vectors in a finite dimensional vector "
                              "space lies inside some basis. Statement 2: Any two bases B_1 and B_2 of the same vector "
                              "space satisfy |B_1| = |B_2|.\nA. True, True\nB. False, False\nC. True, False\nD. False, "
                              "True",
    ("abstract_algebra", 33): "A group (G, o) is known to be abelian. Which of these must then hold in G?\nA. g = g^-1 "
                              "for all g in G\nB. g = g^2 for all g in G\nC. (g o h)^2 = g^2 o h^2 for all g, h in G\nD. "
                              "G has finite order",
    ("abstract_algebra", 34): "Statement 1: When T: V -> W is linear and dim(V ) < dim(W) < 1, T has to be injective. "
                              "Statement 2: If dim(V) = n and T: V -> V is linear and injective, then T is a "
                              "bijection.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 35): "What is the degree of the field extension Q(sqrt(2), sqrt(3)) over Q?\n(A) 6\n(B) 4\n(C) "
                              "2\n(D) 0",
    ("abstract_algebra", 36): "In the ring Z_26, calculate the product (20)(-8).\nA. 0\nB. 1\nC. 11\nD. 22",
    ("abstract_algebra", 37): "Does x^2 - 12 in Z[x] meet Eisenstein's criterion for irreducibility over Q, and if so, "
                              "with which prime?\nA. Yes, p = 2\nB. Yes, p = 3\nC. Yes, p = 5\nD. No",
    ("abstract_algebra", 38): "Which element generates the finite field Z_7?\nA. 4\nB. 3\nC. 2\nD. 1",
    ("abstract_algebra", 39): "Statement 1: All permutations are cycles. Statement 2: All cycles are permutations.\nA. "
                              "True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 40): "The integers Z form a group under the operation a*b = a + b + 1 for a, b in Z. What is "
                              "this group's identity element?\nA. 0\nB. 1\nC. -1\nD. 12",
    ("abstract_algebra", 41): "What is the characteristic of the ring Z_3 x 3Z?\n(A) 0\n(B) 3\n(C) 12\n(D) 30",
    ("abstract_algebra", 42): "Statement 1: There is an abelian group of order 45 with a subgroup of order 10. "
                              "Statement 2: A subgroup H of a group G is normal exactly when H has as many left cosets "
                              "as right cosets.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 43): "Statement 1: An integral domain of characteristic 0 is always infinite. Statement 2: An "
                              "integral domain of prime characteristic is always finite.\nA. True, True\nB. False, "
                              "False\nC. True, False\nD. False, True",

    # A fourth abstract algebra set, items 44 to 59, written 2026-12-04 before any of it was
    # measured, after verifier v17 (formulas and operations): siblings among them and in the
    # benchmark (Z_3[x]/(x^3 + x^2 + c) and /(x^3 + cx^2 + 1); the generator of Z_11 and of
    # Z_7; the degree of Q(sqrt(2)) and of the other extensions of Q).
    ("abstract_algebra", 44): "Suppose f: A -> B and g: B -> A satisfy g(f(a)) = a for every a in A. Statement 1: f "
                              "has to be one-to-one. Statement 2: f has to be onto.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 45): "Statement 1: Between any two groups G and G' there is some homomorphism from G to G'. "
                              "Statement 2: All homomorphisms are one-to-one.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 46): "Statement 1: The kernel of a homomorphism can be empty. Statement 2: No finite group has "
                              "a nontrivial homomorphism into an infinite group. (A) True, True (B) False, False (C) "
                              "True, False (D) False, True",
    ("abstract_algebra", 47): "For which c in Z_3 is the quotient ring Z_3[x]/(x^3 + x^2 + c) a field?\nA. 0\nB. 1\n"
                              "C. 2\nD. 3",
    ("abstract_algebra", 48): "Statement 1: R[x] is an integral domain whenever R is one. Statement 2: For any ring R "
                              "and f(x), g(x) in R[x], deg(f(x)g(x)) = deg f(x) + deg g(x).\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 49): "What is the largest order an element of Z_8 x Z_10 x Z_24 can have?\nA. 24\nB. 240\n"
                              "C. 120\nD. 8",
    ("abstract_algebra", 50): "Statement 1: Solvable groups always have prime-power order. Statement 2: Groups of "
                              "prime-power order are always solvable.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 51): "Which c in Z_3 makes Z_3[x]/(x^3 + cx^2 + 1) a field?\n(A) 0\n(B) 1\n(C) 2\n(D) 3",
    ("abstract_algebra", 52): "Under multiplication modulo 10, what is the identity element of the group G = {2, 4, 6, "
                              "8}?\nA. 2\nB. 4\nC. 6\nD. 8",
    ("abstract_algebra", 53): "Statement 1: Among any three groups G, H and K of order 4, at least two are isomorphic. "
                              "Statement 2: If Z_r + Z_s is isomorphic to a subgroup of Z_m + Z_n, then r | m and s "
                              "| n.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 54): "Over Q, what is the degree of the extension field Q(sqrt(2))?\nA. 0\nB. 1\nC. 2\nD. 3",
    ("abstract_algebra", 55): "Statement 1: Free abelian groups have no torsion. Statement 2: A finitely generated "
                              "abelian group without torsion is free abelian.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 56): "Statement 1: The polynomial 4x - 2 is irreducible over the integers. Statement 2: 4x - 2 "
                              "is irreducible over the rationals.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 57): "Which element generates the finite field Z_11?\nA. 1\nB. 2\nC. 3\nD. 4",
    ("abstract_algebra", 58): "Statement 1: Any group of order 159 is cyclic. Statement 2: Any group of order 102 has a "
                              "proper nontrivial normal subgroup.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 59): "Statement 1: For subgroups H and K of G with H or K normal in G, HK is a subgroup of G. "
                              "Statement 2: Every group of order p^2, p prime, is abelian.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",

    # A fifth abstract algebra set, items 60 to 79 (10 in the benchmark, 10 negatives; 14 of
    # them two-statement items, and the characteristic of Z_3 x Z_3 and of Z x Z, the degree of
    # Q(sqrt(2)*sqrt(3)), beside siblings in the benchmark), written 2026-12-04 before any of
    # it was measured, after the verifier began comparing two-statement items statement by
    # statement (v19).
    ("abstract_algebra", 60): "Statement 1: A subring's unity has to coincide with the unity of the ring. Statement 2: "
                              "All fields are integral domains.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 61): "Statement 1: Under matrix multiplication, the 2 x 2 integer matrices whose determinant "
                              "is nonzero form a group. Statement 2: Under matrix multiplication, the 2 x 2 integer "
                              "matrices of determinant 1 form a group.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 62): "Statement 1: Any quotient ring of a commutative ring is itself commutative. Statement 2: "
                              "In a ring R with unity 1, an ideal N equals R exactly when 1 is in N. (A) True, True (B) False, False (C) True, False (D) False, True",
    ("abstract_algebra", 63): "Let A = (1, 2, 3, 4) and define ~ = {(1, 2), (1, 3), (4, 2)}. Which property does ~ "
                              "have?\nA. transitive\nB. not anti-symmetric\nC. symmetric\nD. reflexive",
    ("abstract_algebra", 64): "How many homomorphisms from Z to Z_2 exist?\nA. 1\nB. 2\nC. infinitely many\nD. 0",
    ("abstract_algebra", 65): "Statement 1: Each field is a ring as well. Statement 2: Each ring possesses a "
                              "multiplicative identity.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 66): "Statement 1: For a ring R and f(x), g(x) in R[x], deg(f(x) + g(x)) always equals "
                              "max(deg f(x), deg g(x)). Statement 2: For a field F, all ideals of F[x] are "
                              "principal.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 67): "When is a subset H of a group (G,*) itself a group?\nA. whenever a, b in H gives a * b "
                              "in H\nB. whenever a in H gives a^-1 in H\nC. whenever a, b in H gives a * b^-1 in "
                              "H\nD. whenever H holds the identity element",
    ("abstract_algebra", 68): "Factor x^4 + 4 into linear factors over Z_5[x]. Which factorization is correct?\n(A) "
                              "(x − 2)(x + 2)(x − 1)(x + 1)\n(B) (x+1)^4\n(C) (x-1)(x+1)^3\n(D) (x-1)^3(x+1)",
    ("abstract_algebra", 69): "Statement 1: For each positive integer rank, some free abelian group has that rank. "
                              "Statement 2: A finitely generated abelian group is free abelian when its Betti number "
                              "is equal to the size of some generating set.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 70): "On Z define a*b = a+b+1, which makes (Z,*) a group. What is the inverse of a?\nA. 0\n"
                              "B. -2\nC. a-2\nD. (2+a)*-1",
    ("abstract_algebra", 71): "What is the degree of the field extension Q(sqrt(2)*sqrt(3)) over Q?\nA. 0\nB. 4\n"
                              "C. 2\nD. 6",
    ("abstract_algebra", 72): "By Fermat's theorem, what remainder does 3^47 leave on division by 23?\nA. 1\nB. 2\n"
                              "C. 3\nD. 4",
    ("abstract_algebra", 73): "What is the characteristic of the ring Z_3 x Z_3?\n(A) 0\n(B) 3\n(C) 12\n(D) 30",
    ("abstract_algebra", 74): "Statement 1: In a group, if a ≠ b then a^2 ≠ b^2. Statement 2: The rotations of a "
                              "dihedral group make up a cyclic subgroup.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 75): "Statement 1: In any group, (ab)^{-2} = b^{-2}a^{-2}. Statement 2: In any group, "
                              "(ab)^n = a^nb^n.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 76): "Statement 1: For every n >= 3, S_n is non-Abelian. Statement 2: If a is an m-cycle and "
                              "b is an n-cycle, then |ab| = lcm(m,n). (A) True, True (B) False, False (C) True, False (D) False, True",
    ("abstract_algebra", 77): "What is the characteristic of the ring Z x Z?\nA. 0\nB. 3\nC. 12\nD. 30",
    ("abstract_algebra", 78): "Statement 1: When n > 1, {1, 2, ..., n-1} forms a group under multiplication mod n. "
                              "Statement 2: Some integer x satisfies 63x mod 100 = 1.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 79): "Statement 1: A nonzero subgroup K of a finitely generated free abelian group is itself "
                              "free abelian. Statement 2: If K is a nonzero subgroup of a finitely generated free "
                              "abelian group G, then G / K is free abelian.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",

    # A sixth abstract algebra set, items 80 to 99 (10 in the benchmark, 10 negatives; 13
    # two-statement items, three of them as "(1) ... (2) ...", some with the options reordered),
    # written 2026-12-04 before any of it was measured, after verifier v19 (statements compared
    # one by one, formulas a term apart), to measure those rules on rows they were not read off.
    ("abstract_algebra", 80): "Statement 1: An external direct product of cyclic groups is always cyclic. Statement 2: "
                              "D_3 x D_4, the external direct product, is isomorphic to D_12.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 81): "Statement 1: Any nonzero free abelian group has infinitely many bases. Statement 2: Any "
                              "free abelian group whose rank is at least 2 has infinitely many bases.\nA. False, False\nB. True, True\nC. False, True\nD. True, False",
    ("abstract_algebra", 82): "Consider the following statements: (1) for each positive integer n, some cyclic group "
                              "has order n; (2) a finite cyclic group has an element of every order dividing the "
                              "group's order.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 83): "Statement 1: A group with an element of order 10 also has elements of orders 1, 2 and 5. "
                              "Statement 2: A group with an element of order 2 and an element of order 3 must have an "
                              "element of order 6.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 84): "Let f: A -> B and g: B -> A be functions between sets A and B with g(f(a)) = a for all "
                              "a in A. Statement 1: g has to be injective. Statement 2: g has to be surjective.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 85): "Statement 1: A homomorphism is injective exactly when its kernel is just the identity "
                              "element. Statement 2: Some homomorphism can map a group with 6 elements onto an image "
                              "with 4 elements.\nA. False, False\nB. True, True\nC. False, True\nD. True, False",
    ("abstract_algebra", 86): "Statement 1: For subgroups H and K of a group G, |HK| = |H||K|/|H intersection K|. "
                              "Statement 2: If p is an odd prime, a group of order 2p is either cyclic or isomorphic to "
                              "D_p.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 87): "Let T: Z x Z -> Z with T(1, 0) = 3 and T(0, 1) = -5. What is T(-3,2)?\nA. -19\nB. -10\n"
                              "C. 19\nD. 10",
    ("abstract_algebra", 88): "In the ring Z_24, what is the product (12)(16)?\n(A) 0\n(B) 1\n(C) 4\n(D) 6",
    ("abstract_algebra", 89): "Statement 1: All permutations are one-to-one functions. Statement 2: A function is a "
                              "permutation exactly when it is one to one.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 90): "Decide whether each statement holds. (1) A finite group of order n has a subgroup of "
                              "order d for each positive divisor d of n. (2) For an element a of a finite group G, "
                              "|a| divides |G|.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 91): "What are all the cosets of the subgroup 4Z in 2Z?\nA. 4Z\nB. 4Z, 2 + 4Z\nC. 2Z\nD. Z",
    ("abstract_algebra", 92): "Which one of these statements is correct?\nA. Every equivalence relation is a "
                              "partial-ordering relation.\nB. There are 64 relations from A = {x, y, z} to B = (1, 2).\n"
                              "C. The empty relation _ is reflexive.\nD. Being symmetric and being un-symmetric are "
                              "negations of each other for a relation.",
    ("abstract_algebra", 93): "For n = 6, what is the largest order an element of S_n can have?\nA. 6\nB. 12\nC. 30\n"
                              "D. 105",
    ("abstract_algebra", 94): "Statement 1: Q is an extension field of Z_2. Statement 2: Any non-constant polynomial "
                              "over a field has a root in some extension field.\nA. False, False\nB. True, True\nC. False, True\nD. True, False",
    ("abstract_algebra", 95): "Statement 1: For a subgroup H of G and a in G, aH is a subgroup of G exactly when a is "
                              "in H. Statement 2: For a subgroup H of G and a, b in G, aH = bH exactly when ab is in H."
                              "\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
    ("abstract_algebra", 96): "Over Z_2, what are all the zeros of the polynomial x^2 + 1?\nA. 0\nB. 1\nC. 0,1\nD. 2",
    ("abstract_algebra", 97): "How many elements does the cyclic subgroup of Z_30 generated by 25 have?\nA. 25\nB. 5\n"
                              "C. 6\nD. 30",
    ("abstract_algebra", 98): "What is the order of the element (4, 2) in Z_12 x Z_8?\nA. 4\nB. 8\nC. 12\nD. 6",
    ("abstract_algebra", 99): "Consider two statements about rings. (1) Each ideal of a ring is a subring of it. (2) "
                              "Each subring of a ring is an ideal of it.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",

    # The third multiple-choice set, written 2026-12-04 before any of it was measured: US
    # history items 28 to 43 and sociology items 28 to 35, rephrased as the second set was.
    ("high_school_us_history", 28): "Which continuity in U.S. history do the ideas in the 1848 Married Women's "
                                    "Property Act most directly reflect?\nA. Debates over the legal status of women\n"
                                    "B. Debates over access to the vote\nC. Debates over the federal government's role "
                                    "in marriage law\nD. Debates over discrimination at work",
    ("high_school_us_history", 29): "Which of these did the sentiments in Senator McGovern's 1967 speech most "
                                    "directly influence?\nA. The Tet Offensive of 1968\nB. The passage of the War "
                                    "Powers Act of 1973\nC. The emergence of a youth counterculture\nD. Richard "
                                    "Nixon's resignation in 1974",
    ("high_school_us_history", 30): "What does President Bush's \"new world order\" most directly resemble?\nA. "
                                    "Woodrow Wilson's Fourteen Points\nB. The Monroe Doctrine\nC. The containment "
                                    "policy toward the Soviet Union\nD. Theodore Roosevelt's \"Big Stick\"",
    ("high_school_us_history", 31): "What does Andrew Hamilton's success in the Zenger case most directly reflect?\n"
                                    "A. Americans' wish for independence from Great Britain\nB. Americans rejecting "
                                    "Enlightenment ideals\nC. A long tradition of self-rule in the American colonies\n"
                                    "D. Weakening economic ties between America and Great Britain",
    ("high_school_us_history", 32): "Which amendment's ratification did Susan B. Anthony and others in the women's "
                                    "rights movement strongly influence?\n(A) The Fifteenth Amendment\n(B) The "
                                    "Nineteenth Amendment\n(C) The Twenty-sixth Amendment\n(D) The Equal Rights "
                                    "Amendment",
    ("high_school_us_history", 33): "Which political movement shared most closely many of the aims set out in the "
                                    "Populist Party's platform?\nA. Early-1900s Progressivism\nB. 1980s "
                                    "Neoconservatism\nC. Late-1700s Federalism\nD. Early-1800s Jacksonian Democracy",
    ("high_school_us_history", 34): "Which political goal would the perspective of Jane Addams's passage most directly "
                                    "support?\nA. Votes for women\nB. Breaking up trusts\nC. More rights for labor "
                                    "unions\nD. Weakening political machines",
    ("high_school_us_history", 35): "What did the most to write the ideas of the Flushing Remonstrance into the U.S. "
                                    "legal structure?\nA. The preamble of the Declaration of Independence\nB. The "
                                    "Constitution's list of congressional powers\nC. The First Amendment's \"Free "
                                    "Exercise Clause\"\nD. The First Amendment's \"Establishment Clause\"",
    ("high_school_us_history", 36): "Which of the following influenced the ideas Coolidge expresses?\nA. Widespread "
                                    "economic hardship in the 1920s\nB. Widespread prosperity in the 1920s\nC. Highly "
                                    "publicized antitrust prosecutions\nD. The welfare state's rapid growth in the "
                                    "1920s",
    ("high_school_us_history", 37): "In keeping with the excerpt from the 1912 Progressive Party platform, what best "
                                    "describes Theodore Roosevelt's \"Square Deal\"?\nA. Conservation, trust-busting "
                                    "and consumer protection\nB. Protective tariffs, central banking and "
                                    "conservation\nC. Equal opportunity, women's suffrage and laissez-faire economics\n"
                                    "D. Laissez-faire economics, backing for labor unions and conservation",
    ("high_school_us_history", 38): "Which of these does the sentiment in Beveridge's \"The March of the Flag\" best "
                                    "exemplify?\n(A) Isolationism\n(B) Manifest Destiny\n(C) Imperialism\n(D) "
                                    "Anti-imperialism",
    ("high_school_us_history", 39): "Which event, earlier or later in the colonial period, can best be seen as "
                                    "continuing what the passage describes?\nA. Anne Hutchinson's expulsion from "
                                    "Massachusetts Bay Colony\nB. Bacon's Rebellion in Virginia\nC. The Boston Tea "
                                    "Party\nD. The trial of John Peter Zenger",
    ("high_school_us_history", 40): "What does Andrew Hamilton take for granted in his argument?\nA. Americans enjoy "
                                    "more freedoms than people in other countries.\nB. People elsewhere have more "
                                    "rights than Americans.\nC. Natural rights are only ideas that do not really exist."
                                    "\nD. The government grants rights.",
    ("high_school_us_history", 41): "Which of these policies was NOT a main aim of the American Progressives?\nA. "
                                    "Passing the Pure Food and Water Act\nB. Creating national forests and wildlife "
                                    "reserves\nC. Bringing antitrust suits against corporate monopolies\nD. Intervening "
                                    "in the affairs of Central American governments",
    ("high_school_us_history", 42): "Why did Puritan emigration from England almost stop between 1649 and 1660?\nA. "
                                    "Most English Puritans had been jailed for heresy\nB. Most Puritans had become "
                                    "Catholics\nC. New England was overcrowded and colonial legislatures strongly "
                                    "discouraged immigration\nD. The Puritans were in control of the English "
                                    "government",
    ("high_school_us_history", 43): "What did Hamilton propose to solve the problems identified in Federalist #15?\n"
                                    "A. Giving up isolationism for a more aggressive, interventionist foreign policy\n"
                                    "B. Adopting a new constitution to create a more national government\nC. Allying "
                                    "with American Indian nations against the European powers\nD. Spending more on the "
                                    "military and less on social programs",

    # A fourth US history set, items 44 to 59 (8 in the benchmark, 8 negatives; 50 and 53
    # quote the same Douglass speech, 56 and 57 the same Wilson statement), written
    # 2026-12-04 before any of it was measured, after verifiers v17 and v18: the question
    # without its passage, some naming the passage's author and year, options reordered.
    ("high_school_us_history", 44): "Huey P. Long, whose 1934 radio address proposed capping fortunes at $50,000,000, ran a political machine that made him all but dictator of Louisiana. Which political boss is he best compared to?\nA. Barack Obama\nB. William M. Tweed\nC. Theodore Roosevelt\nD. George Washington",
    ("high_school_us_history", 45): "What was new about the Sugar Act of 1764 in British policy toward the colonies?\nA. It was the first attempt to control what the colonies exported\nB. It made the colonies import only English goods\nC. It taxed the colonies to raise revenue, not to regulate trade\nD. It let colonists bring their grievances to Parliament",
    ("high_school_us_history", 46): "In his 1947 speech asking Congress to meet great responsibilities and keep alive the hope of peoples for a better life, what was President Truman justifying?\nA. A roll-back of communism\nB. Joining the Atlantic Charter\nC. The containment policy\nD. Massive retaliation",
    ("high_school_us_history", 47): "In a 1975 interview with Reason magazine, Ronald Reagan said that libertarianism and conservatism travel the same path. Which group would most oppose his views?\nA. Populists\nB. Progressive liberals\nC. Reagan Democrats\nD. Neoconservatives",
    ("high_school_us_history", 48): "Which of these laws was not meant to let the government regulate the growing wealth and power of industrialists around the turn of the twentieth century?\nA. The Interstate Commerce Act of 1887\nB. The Newlands Reclamation Act of 1902\nC. The Sherman Anti-Trust Act of 1890\nD. The Federal Trade Commission Act of 1914",
    ("high_school_us_history", 49): "In her 1848 memorial asking North Carolina to build a state hospital for the insane, what view does Dorothea Dix express?\nA. The federal government should regulate how the mentally ill are treated\nB. Families should be left to care for the mentally ill\nC. Caring for the mentally ill is the state's responsibility\nD. More democracy would help the mentally ill",
    ("high_school_us_history", 50): "How did what Abraham Lincoln did in 1860 run against the sentiments of Frederick Douglass's 1857 speech?\nA. He wanted slavery kept out of every new territory\nB. He gave free western land to all settlers through the Homestead Act\nC. He let settlers in each territory decide whether their new state allowed slavery\nD. He gave freed slaves \"forty acres and a mule\"",
    ("high_school_us_history", 51): "How is the policy of détente best described?\nA. Covert sabotage\nB. Mutual coexistence\nC. Direct confrontation\nD. Decolonization",
    ("high_school_us_history", 52): "What do William Graham Sumner's sociological ideas, as in his 1883 book What Social Classes Owe to Each Other, show about the late 1800s?\nA. Intellectuals attacked cut-throat competition and proposed a cooperative economy\nB. Popular writers turned from science to faith\nC. Cultural and intellectual arguments held that success at the top of society was right and inevitable\nD. Culture ignored the economy and looked back to the past",
    ("high_school_us_history", 53): "Which group would most likely have supported Frederick Douglass's view in his 1857 speech?\nA. Southern farmers in the 1830s\nB. Northern Republicans in the 1860s\nC. Western ranchers in the 1850s\nD. Southern Democrats in the 1880s",
    ("high_school_us_history", 54): "What is the message of Phillis Wheatley's 1773 poem about her race best compared to?\nA. The Seneca Falls Declaration of Rights and Sentiments\nB. Martin Luther King, Jr.'s \"I Have a Dream\" speech\nC. The Declaration of Independence\nD. Jonathan Edwards's sermon \"Sinners in the Hands of an Angry God\"",
    ("high_school_us_history", 55): "How does Henry Adams describe the city of Washington in 1801?\nA. As still controlled by the British\nB. As the center of American economic power\nC. As fast becoming the \"Paris\" of North America\nD. As still an undeveloped cultural backwater",
    ("high_school_us_history", 56): "With Woodrow Wilson's 1914 call for strict neutrality in mind, which statement is the most accurate?\nA. American involvement in World War I followed directly from dollar diplomacy\nB. Debates over American involvement abroad grew sharper after World War I\nC. Americans mostly welcomed the new era of involvement abroad after World War I\nD. American involvement in World War I continued a long tradition of involvement abroad",
    ("high_school_us_history", 57): "Which speech is Woodrow Wilson's 1914 declaration of strict and impartial neutrality most in harmony with?\nA. Lincoln's Gettysburg Address\nB. Franklin D. Roosevelt's \"Day of Infamy\"\nC. Washington's Farewell Address\nD. George H. W. Bush's \"A Thousand Points of Light\"",
    ("high_school_us_history", 58): "In his 1980 State of the Union address, which approach to foreign policy does Jimmy Carter take?\nA. A call for war\nB. Isolationism\nC. Containment\nD. Appeasement",
    ("high_school_us_history", 59): "Which statement about the Spanish conquest of the Americas is the most accurate?\nA. Columbus was not the first European to explore North America\nB. Spanish settlements in Florida directly caused African slavery\nC. Native civilizations in Mexico taught Spanish explorers cattle ranching and wheat farming\nD. Racial prejudice kept Spanish explorers from marrying native people",
    ("sociology", 28): "What is the 'third age' of the life course said to involve?\nA. Active non-work and "
                       "independence after retiring\nB. Full-time work, starting a family and adult responsibilities\n"
                       "C. Illness, isolation and growing dependence on others\nD. Moving from education into work, "
                       "and distinct youth cultures",
    ("sociology", 29): "According to Weber (1919), what legitimated the state's monopoly on the use of force?\n(A) "
                       "traditional authority\n(B) charismatic authority\n(C) value-rational authority\n(D) "
                       "rational-legal authority",
    ("sociology", 30): "When did men do the largest share of housework, according to Sullivan's (2000) study?\nA. "
                       "When they had rediscovered themselves as 'new men'\nB. When their wives stayed at home and "
                       "nagged them constantly\nC. When exciting gadgets such as the hoover and the electric iron were "
                       "invented\nD. When they were out of work or both partners worked full time",
    ("sociology", 31): "What does the move from custodial to joint parenthood after divorce mean?\nA. Fathers are more "
                       "likely to be missing from their children's lives\nB. One parent is wholly responsible for the "
                       "child's welfare and socialisation\nC. Both parents are expected to cooperate in caring for "
                       "their children\nD. Parents must provide for all their children equally",
    ("sociology", 32): "What did Émile Durkheim think sociology should mainly focus on?\nA. Social facts\nB. Social "
                       "action\nC. Cultural dynamics\nD. Class relations",
    ("sociology", 33): "Who coined the term \"sociology\" in the early 1800s?\nA. Karl Marx\nB. Emile Durkheim\nC. "
                       "Robert K. Merton\nD. Auguste Comte",
    ("sociology", 34): "What did Brown & Harris (1978) find in their study of depression?\nA. How susceptible women "
                       "were to stress depended on how much social support they had\nB. Self-reported depression is "
                       "highest among men and the relatively well-off\nC. Men and women have fairly similar levels of "
                       "diagnosed depression\nD. Conventional gender roles make men more vulnerable to depression",
    ("sociology", 35): "What does the alternative form of 'network organization' mean?\nA. Work may be subcontracted "
                       "to independent suppliers and retailers\nB. Business is done only through electronic "
                       "communication\nC. The Japanese model is applied through lateral networks of flexible roles\nD. "
                       "Activities are shared equally between men and women",

    # A fourth sociology set, items 36 to 51 (8 in the benchmark, 8 negatives), written
    # 2026-12-04 before any of it was measured, after verifiers v17 and v18; options reworded
    # and reordered, some laid out inline.
    ("sociology", 36): "What did Margaret Mead propose?\nA. That the researcher's values colour how anthropological "
                       "fieldwork is interpreted\nB. That adolescence and gender roles differ from society to society and "
                       "are therefore cultural\nC. That three New Guinea societies had the same gender roles, so these "
                       "are biological\nD. That adolescence is calmer in the USA than in Japan and Europe",
    ("sociology", 37): "What is meant by 'secondary deviation'? (A) How adopting a deviant role shapes later behaviour "
                       "(B) Punishing or stigmatizing deviant acts (C) An act being labelled deviant through social "
                       "reactions (D) All of these",
    ("sociology", 38): "How has the Internet affected the public sphere?\nA. It has replaced it with a better kind of "
                       "communication\nB. It has revived it by renewing a commitment to free speech\nC. It has "
                       "repressed it by serving only elite interests\nD. It has reproduced it through face-to-face "
                       "contact among peers",
    ("sociology", 39): "According to Weber, where did the 'spirit of capitalism' originate?\nA. In Calvinists whose "
                       "ascetic practices sought signs of salvation\nB. In a shift towards religious pluralism\nC. In "
                       "new religious movements that rejected traditional labour\nD. In inspirational Protestant groups "
                       "reviving religious ideas",
    ("sociology", 40): "What does the phrase 'crisis of the 1970s' describe?\nA. Rising divorce and the decline of the "
                       "traditional family\nB. Falling profits and growing unemployment\nC. The abolition of the "
                       "welfare state\nD. An unlucky turn in fashion",
    ("sociology", 41): "Which growing problem did the Macpherson Report draw attention to?\nA. Institutional racism, "
                       "disadvantage built systematically into the routines of social institutions\nB. Hate crimes "
                       "against ethnic minorities because of their race\nC. Overt racism in the police needing "
                       "institutional reform\nD. More asylum seekers needing long-term housing",
    ("sociology", 42): "Seven people waiting in silence at a bus stop are an example of what?\nA. A social category\nB. "
                       "An aggregate\nC. A primary group\nD. A secondary group",
    ("sociology", 43): "In what sense are environmentalist social movements global?\nA. They make us more aware of "
                       "risks to the whole planet\nB. They use the global media for publicity\nC. They appeal to "
                       "universal values and human rights\nD. All of these",
    ("sociology", 44): "Through what, according to Chodorow (1978), does gender socialization happen?\nA. Boys attached "
                       "to fathers and girls to mothers\nB. Girls attached to their mothers and later breaking away\nC. "
                       "Boys and girls both closely attached to their mothers, with boys later breaking away\nD. Boys "
                       "and girls both attached to their fathers, with girls breaking away",
    ("sociology", 45): "What was the 1980s 'new man' supposed to be like? (A) Laddish, aggressive and violent (B) "
                       "Sensitive, caring and emotional (C) A dependable, strong breadwinner (D) Openly and proudly "
                       "bisexual",
    ("sociology", 46): "Why did 1960s comprehensive schools fail to remove class inequalities in education?\nA. Teachers "
                       "used the restricted code while working-class pupils spoke in elaborated codes\nB. They mostly "
                       "took pupils from inner cities and working-class areas\nC. Selective schools could still 'cream "
                       "off' the ablest pupils, and comprehensives streamed children by ability\nD. National tests and "
                       "league tables made them competitive and selective",
    ("sociology", 47): "What does the experimental method involve, in idealized accounts of science?\nA. Isolating one "
                       "variable and measuring its effect on another\nB. Trying new research methods to find the best "
                       "one\nC. Choosing what to study by personal beliefs and values\nD. Interpreting data "
                       "subjectively through theoretical paradigms",
    ("sociology", 48): "What makes a society 'open'?\nA. People can move between the levels of its hierarchy\nB. Every "
                       "member has equal status\nC. Its government keeps no official secrets\nD. It is permissive about "
                       "sexual behaviour",
    ("sociology", 49): "Who did the Nation of Islam appeal to?\nA. White Americans wishing to convert to Islam\nB. "
                       "African-Americans who felt shut out of the USA's 'ethnic melting pot'\nC. British-born second "
                       "generation immigrants from the Asian subcontinent\nD. Inner-city African-Caribbeans with a "
                       "distinctive youth culture",
    ("sociology", 50): "What does Comte mean by 'positivism'?\nA. An unscientific set of laws of social progress\nB. A "
                       "theory stressing society's positive sides\nC. The precise scientific study of observable "
                       "phenomena\nD. A theory that poses hard questions and sets out to answer them",
    ("sociology", 51): "What do theories of racialized discourse propose?\nA. Race is socially constructed through "
                       "powerful ideologies\nB. Race objectively categorizes people on biological grounds\nC. People "
                       "choose a racial identity, which then becomes fixed\nD. British and American race relations go "
                       "back to colonial times",

    # Fifth sets, sociology items 52 to 67 and US history items 60 to 75 (8 in the benchmark,
    # 8 negatives each), written 2026-12-04 before any of it was measured, after verifier
    # v19: options reworded and reordered, US history's questions without their passages.
    ('sociology', 52): 'After a serious car crash, one man pulls over and begins helping the injured; seeing him, others stop and help too. Which theory best accounts for this?\nA. Emergent-norm\nB. Convergence\nC. Value-added\nD. Contagion',
    ('sociology', 53): 'A new highway is built from a big city through a farming area. What is the most likely result?\nA. Shorter commutes to the city will lead to suburbanization.\nB. Farmers will put more acres into production.\nC. Rural people will move into the city and empty the farmland region.\nD. The city will turn into a multiple nuclei model.',
    ('sociology', 54): "In W. E. B. Dubois's view, what did progress for African Americans after slavery depend on?\nA. A small group of African Americans getting the same thorough, extensive education that the most talented White Americans could obtain\nB. Using skills they already had from farming, domestic work and rural labor instead of being made to learn new ones in the late 1800s\nC. Training as craftspeople and service workers so they could be self-sufficient right away\nD. Moving to large cities where they would be treated as equals in government, religion and education",
    ('sociology', 55): "What do pluralist theories claim?\nA. Political parties have to compete for the votes of electoral 'consumers'\nB. The state can exercise its power through several administrative structures\nC. Class background and party preference are closely aligned\nD. People of various class backgrounds make up the ruling elite",
    ('sociology', 56): "What does the term 'over-urbanization' mean? (A) Fast-growing cities in poorer countries drain resources from rural areas (B) Modern Western city life is so distant from the Third World that those societies are hard for us to understand (C) How much urbanization affects development has been exaggerated (D) Western governments focus so much on urbanization that they neglect Third World problems",
    ('sociology', 57): "Why was the mid-twentieth-century capitalist class said to have joined the upper class?\nA. Because they took part in the same leisure pursuits and 'social calendar' events\nB. Because they copied the traditional aristocracy's lifestyle and cultural values\nC. Because they owned companies and financial assets that produced wealth through corporations\nD. Because they personally and directly owned land and businesses as physical assets",
    ('sociology', 58): "What does inter-generational mobility refer to?\nA. Moving into different occupational categories from one generation to the next\nB. Moving into another occupational category during one's lifetime\nC. Moving into an occupation that pays less\nD. Moving up into a higher occupational category",
    ('sociology', 59): "When members of the Frankfurt School spoke of the 'culture industry', what did they mean?\nA. Cultural products being bought and sold for profit\nB. Culture globalizing through new technologies\nC. Industrialization creating new means of communication\nD. Subcultures and counter-cultures developing in society",
    ('sociology', 60): "Why, according to Hakim (1995, 1996), do women do most part-time work?\nA. They rationally choose to combine a job with their 'home-centred' lives\nB. Part-time jobs pay comparatively well, so they are financially worthwhile\nC. Structural factors, such as not being able to afford childcare, limit their choices\nD. There is no full-time work in the occupations they want",
    ('sociology', 61): 'What is a sect organised around? (A) Voluntary membership, democratic leadership and strong emotional commitment (B) Beliefs members may challenge, a charismatic leader and openness to recruits (C) Tolerance of other religions and separation of church and state (D) The view that the secular world is itself sacred',
    ('sociology', 62): 'By what process do we gain a sense of identity and become members of society?\nA. socialization\nB. rationalization\nC. McDonaldization\nD. colonization',
    ('sociology', 63): 'What is pre-testing a questionnaire good for?\nA. Spotting problems in how questions are worded and routed\nB. Learning which topics matter to respondents\nC. Choosing which respondents to drop from the final sample\nD. Checking your computer and printer',
    ('sociology', 64): "What did Judith Butler (1999) propose?\nA. Gender is performed through bodily gestures and styles that create 'sex'\nB. Biological sexual characteristics determine gender\nC. Heterosexuality and homosexuality are essential identities opposed to each other\nD. In the eighteenth century the 'two-sex' model took the place of the 'one-sex' model",
    ('sociology', 65): 'What do patterns of drug use in Britain show?\nA. Use has risen and is no longer limited to a hedonistic youth subculture\nB. Ecstasy is the recreational drug used most often\nC. Teenage girls experiment with hard drugs more than teenage boys do\nD. In spite of several moral panics, illegal drug use is very rare',
    ('sociology', 66): "Whom did Murray consider to make up the 'underclass'?\nA. People who depended too much on welfare benefits\nB. People living morally unsound lives of crime and squalor\nC. An inferior 'race' of low intelligence\nD. All of these",
    ('sociology', 67): 'What do religious organizations like the Church of Norway, Islam, the Church of England and the Church of Greece have in common?\nA. They are monotheistic.\nB. They are cultures as well as churches.\nC. They keep church and state separate.\nD. They do not allow women as clergy.',
    ('high_school_us_history', 60): 'What was the main reason Democratic presidential candidates lost the 1952 and 1968 elections?\nA. Americans wanted to avoid conflict and go back to a more conservative political and social life\nB. The Democratic platform promised higher taxes to pay off the national debt\nC. The Democratic candidates took controversial stands on civil rights laws\nD. The Democrats fully backed the Equal Rights Amendment',
    ('high_school_us_history', 61): 'Which Supreme Court decision upheld "separate but equal" facilities for black and white Americans?\nA. Plessy v. Ferguson\nB. Marbury v. Madison\nC. Holden v. Hardy\nD. Bradwell v. Illinois',
    ('high_school_us_history', 62): "Why did Thomas Jefferson's win in the 1800 election matter?\nA. It was the first time the presidency passed from one political party to another.\nB. He was the first president from the South.\nC. He thought war with Great Britain was necessary.\nD. He pushed for the rapid industrialization of the United States.",
    ('high_school_us_history', 63): 'The statements above were most likely made after which major event?\nA. The sinking of the U.S.S Maine\nB. The bombing of Pearl Harbor\nC. The Boxer Rebellion\nD. The bombing of the U.S.S. Liberty',
    ('high_school_us_history', 64): "Which of these is the best comparison to the Zenger Case? (A) The government's attempts to stop the Pentagon Papers from being published in 1971 (B) Lincoln suspending habeas corpus in the Civil War (C) The 1954 Brown v. Board of Education decision (D) The 1886 trial of the people accused of the Haymarket Square bombing",
    ('high_school_us_history', 65): 'What is true about the Treaty of Versailles?\nA. The U.S. Senate rejected it because it would have required more American involvement in European affairs.\nB. The U.S. Senate rejected it because it was too lenient toward Germany.\nC. The U.S. Senate never voted on it.\nD. The U.S. Senate approved it, with reservations about how Eastern Europe was divided.',
    ('high_school_us_history', 66): 'In her 1940 address to the ACLU, Eleanor Roosevelt voiced concerns most directly comparable to those of the people who debated what?\nA. The USA Patriot Act of 2001\nB. The Voting Rights Act of 1965\nC. The Gulf of Tonkin Resolution of 1964\nD. The Affordable Care Act of 2010',
    ('high_school_us_history', 67): 'Which of these has the most in common with the goals set out in the excerpt?\nA. Raising federal income tax rates after World War I\nB. Antitrust reforms in the Progressive Era\nC. Cutting federal income tax rates in the 1980s\nD. Free trade policies in the 1970s',
    ('high_school_us_history', 68): 'What best describes why the Zenger Trial was significant?\nA. It was a landmark case on freedom of expression\nB. It was an important event in opposing British tax policy\nC. It was a landmark case on voting rights\nD. It was an early attack on slavery as an institution',
    ('high_school_us_history', 69): "By following Richard Hakluyt's ideas, what was England eventually able to do?\nA. Found several colonies along North America's Atlantic coast.\nB. Bankrupt the French and Portuguese governments.\nC. Destroy the commercial empire of the Dutch.\nD. Conquer large parts of Africa in the 1700s.",
    ('high_school_us_history', 70): 'Which other reform movement of the nineteenth century made arguments like the ones Susan B. Anthony wrote here? (A) The abolition movement. (B) The temperance movement. (C) Advocates of public schools. (D) Utopian communities.',
    ('high_school_us_history', 71): "What did Patrick Henry's sentiments lead to most directly?\nA. The Declaration of Independence\nB. The Boston Tea Party\nC. The Albany Plan\nD. The U.S. Constitution",
    ('high_school_us_history', 72): "Which ongoing debate in U.S. history does the quotation express?\nA. Debates about the federal government's power over the economy.\nB. Debates about presidential powers.\nC. Debates about federal power in international affairs.\nD. Debates about taking part in elections.",
    ('high_school_us_history', 73): 'Who would most likely have supported the view behind the Married Women\'s Property Act?\nA. People who took part in the Seneca Falls Convention.\nB. Southerners who upheld the idea of "female virtue."\nC. Congregational ministers.\nD. Followers of the "cult of domesticity" values.',
    ('high_school_us_history', 74): 'To whom can Samoset and Squanto most directly be compared?\nA. Sacagawea\nB. Tecumseh\nC. Geronimo\nD. Crazy Horse',
    ('high_school_us_history', 75): 'What best represents an effect of the legal decision described above?\nA. White resistance that continued slowed desegregation and set off a series of social conflicts across the South.\nB. Brown v. the Board of Education increased college and university enrollment.\nC. More and more high school graduates in the 1960s rejected the idea that college was worth having.\nD. In the twentieth century, advanced technical and medical jobs generally required postgraduate degrees.',

    # Self-Instruct seed tasks 0 to 19, written 2026-12-04 before any of it was measured,
    # rephrased as a model asked to reword an instruction without changing what it asks.
    ("self_instruct", 0): "Can you suggest a breakfast without eggs that still has protein in it and comes to about "
                          "700-1000 calories?",
    ("self_instruct", 1): "How are the pairs given below related to each other?",
    ("self_instruct", 2): "Write a single-sentence description of each of the people below.",
    ("self_instruct", 3): "Describe a situation where the stereotype given could do you harm.",
    ("self_instruct", 4): "Come up with a suitable subjective subject line for the email below:",
    ("self_instruct", 5): "What would be a good way to answer this question in a job interview?",
    ("self_instruct", 6): "Come up with a list of New Year's resolutions someone might make.",
    ("self_instruct", 7): "Tell me what the following idiom means and give me a few examples of how it is used.",
    ("self_instruct", 8): "Write a haiku that uses the word below:",
    ("self_instruct", 9): "Suggest a film I could watch this weekend, and tell me why.",
    ("self_instruct", 10): "What games could a group of people play together? Give some suggestions.",
    ("self_instruct", 11): "Write a shopping list for a healthy meal.",
    ("self_instruct", 12): "Give an explanation of human behavior.",
    ("self_instruct", 13): "Parse the dependencies of the sentence and output them one per line, each written as "
                           "(current word -> its head word).",
    ("self_instruct", 14): "Write a question and its answer based on the facts provided.",
    ("self_instruct", 15): "Give the fourth word so that both pairs share the same analogy.",
    ("self_instruct", 16): "From the description of the symptom, work out which disease it might be and recommend some "
                           "medicine.",
    ("self_instruct", 17): "Make a checklist for planning a birthday.",
    ("self_instruct", 18): "Write a reply to this email that politely declines the invitation.",
    ("self_instruct", 19): "How would you explain the given subject's relation to people with no background in the "
                           "field?",
    # Self-Instruct seed tasks 20 to 39, written 2026-12-04 before any of it was measured, as
    # the first twenty were.
    ("self_instruct", 20): "Write an imaginative opening scene for a horror film.",
    ("self_instruct", 21): "Come up with an entertaining math problem for kids.",
    ("self_instruct", 22): "For a given set of numbers, find every subset whose elements add up to a given target.",
    ("self_instruct", 23): "Give me a recipe for cooking the food below.",
    ("self_instruct", 24): "Put together a school's lunch menu for a week: for each day, a main course, a starchy side, "
                           "a vegetable side and a dessert.",
    ("self_instruct", 25): "What are the four smallest perfect numbers?",
    ("self_instruct", 26): "For each entity in brackets in the sentence, give the title of the Wikipedia page it refers "
                           "to, or None if you don't know it.",
    ("self_instruct", 27): "Would you say you're more intelligent than most people with red hair?",
    ("self_instruct", 28): "Add comments to the function below so that people can read the code more easily.",
    ("self_instruct", 29): "Turn the given facts into a coherent, captivating story.",
    ("self_instruct", 30): "List some salty snacks that are soft to eat.",
    ("self_instruct", 31): "How would you complete the following Python code?",
    ("self_instruct", 32): "Explain how to perform the exercise named below.",
    ("self_instruct", 33): "Design a questionnaire about people's eating and cooking habits.",
    ("self_instruct", 34): "My girlfriend and I just split up and I'm really down. Do you have any advice for me?",
    ("self_instruct", 35): "Solve the equation for X, showing each step.",
    ("self_instruct", 36): "Give adjectives that describe each of the religions listed.",
    ("self_instruct", 37): "Replace the \"TODO\" comment in the code with working code, following what the comment "
                           "says.",
    ("self_instruct", 38): "List some synonyms for the word.",
    ("self_instruct", 39): "Pull out every country name from the paragraph and list them, separated by commas.",
}
