import './base.css';
import './workspace.css';
import './training.css';
import './devmachines.css';
import './tensorboard.css';
import './services.css';
import './images.css';
import './assets.css';
